// The widget's inference picture: with two features, a classifier's map of the plane (class colours mixed by
// probability, faded where unsure) under the points; with one, the predicted curve over the points.
import { clear } from './chart.js';

export const COLORS = ['#ea781e', '#2563eb', '#16a34a', '#a855f7', '#dc2626', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];
const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

export class Plane {
  // domain: [[lo, hi] of x0, [lo, hi] of x1 or of y]; classes 0 means a curve.
  constructor(canvas, domain, classes, res = 64) {
    Object.assign(this, { canvas, domain, classes, res, rows: 0, out: null, small: new OffscreenCanvas(res, res) });
  }

  // Cell centres, row 0 at the top: (res * res, 2); or res x values: (res, 1). Made once: the domain is fixed.
  grid() {
    if (this.g) return this.g;
    const { res } = this, [[a, b], [c, d]] = this.domain, at = (i, lo, hi) => lo + ((i + 0.5) / res) * (hi - lo);
    if (!this.classes) return (this.g = Float32Array.from({ length: res }, (_, i) => at(i, a, b)));
    const g = this.g = new Float32Array(2 * res * res);
    for (let i = 0; i < res * res; i++) { g[2 * i] = at(i % res, a, b); g[2 * i + 1] = at(res - 1 - Math.floor(i / res), c, d); }
    return g;
  }

  // out: probabilities (rows * res, K) of grid rows row0.., or values (res); bg: '#rrggbb'. Plain loops: the first
  // paints run unoptimised. rows: how far the first paint has come (the widget paints it in bands).
  paint(out, bg, row0 = 0) {
    this.out = out;
    const K = this.classes, base = rgb(bg), cols = COLORS.map(rgb), img = (this.img ??= new ImageData(this.res, this.res));
    const n = K ? out.length / K : 0;
    this.rows = Math.max(this.rows, row0 + n / this.res);
    for (let j = 0, i = row0 * this.res, px = img.data; j < n; j++, i++) {
      let r = 0, g = 0, b = 0, top = 0;
      for (let k = 0; k < K; k++) {
        const q = out[j * K + k], c = cols[k % 10];
        r += q * c[0]; g += q * c[1]; b += q * c[2];
        if (q > top) top = q;
      }
      const a = 0.15 + 0.55 * Math.max(0, (top - 1 / K) / (1 - 1 / K)); // more colour where more confident
      px[4 * i] = base[0] + (r - base[0]) * a;
      px[4 * i + 1] = base[1] + (g - base[1]) * a;
      px[4 * i + 2] = base[2] + (b - base[2]) * a;
      px[4 * i + 3] = 255;
    }
    this.small.getContext('2d').putImageData(img, 0, 0);
  }

  toData(px, py) {
    const [[a, b], [c, d]] = this.domain;
    return [a + (px / this.canvas.clientWidth) * (b - a), d - (py / this.canvas.clientHeight) * (d - c)];
  }

  toCanvas(x, y) {
    const [[a, b], [c, d]] = this.domain;
    return [((x - a) / (b - a)) * this.canvas.clientWidth, ((d - y) / (d - c)) * this.canvas.clientHeight];
  }

  // x: (N, 1 or 2) with y: (N) labels or targets; probe: the reader's point [x0, x1] or [x, predicted y], or null.
  draw(x, y, probe, { bg, fg }) {
    const { ctx, w, h } = clear(this.canvas, bg), two = this.classes > 0;
    if (two && this.out) ctx.drawImage(this.small, 0, 0, w, h);
    const dot = (p, r, color, ring) => {
      ctx.beginPath();
      ctx.arc(p[0], p[1], r, 0, 7);
      ctx.lineWidth = 2;
      if (ring) { ctx.strokeStyle = color; ctx.stroke(); } else { ctx.fillStyle = color; ctx.fill(); }
    };
    for (let i = 0; i < y.length; i++) dot(two ? this.toCanvas(x[2 * i], x[2 * i + 1]) : this.toCanvas(x[i], y[i]), 2.6, COLORS[two ? y[i] % 10 : 1]);
    if (!two && this.out) {
      ctx.strokeStyle = COLORS[0];
      ctx.beginPath();
      this.grid().forEach((v, i) => ctx.lineTo(...this.toCanvas(v, this.out[i])));
      ctx.stroke();
    }
    if (probe) dot(this.toCanvas(...probe), 7, fg, true);
  }
}

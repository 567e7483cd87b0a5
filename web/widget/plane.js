// The widget's inference picture: with two features, a classifier's map of the plane (class colours mixed by
// probability, faded where unsure) under the points; with one, the predicted curve over the points.
import { clear } from './chart.js';

export const COLORS = ['#ea781e', '#2563eb', '#16a34a', '#a855f7', '#dc2626', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];
const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

export class Plane {
  // domain: [[lo, hi] of x0, [lo, hi] of x1 or of y]; classes 0 means a curve.
  constructor(canvas, domain, classes, res = 64) {
    Object.assign(this, { canvas, domain, classes, res, out: null, small: new OffscreenCanvas(res, res) });
  }

  // Cell centres, row 0 at the top: (res * res, 2); or res x values: (res, 1).
  grid() {
    const { res } = this, [[a, b], [c, d]] = this.domain, at = (i, lo, hi) => lo + ((i + 0.5) / res) * (hi - lo);
    if (!this.classes) return Float32Array.from({ length: res }, (_, i) => at(i, a, b));
    return Float32Array.from({ length: 2 * res * res }, (_, i) => (i & 1 ? at(res - 1 - Math.floor(i / 2 / res), c, d) : at((i / 2) % res, a, b)));
  }

  // out: probabilities (res * res, K) or values (res); bg: '#rrggbb'.
  paint(out, bg) {
    this.out = out;
    const K = this.classes, img = new ImageData(this.res, this.res), base = rgb(bg), cols = COLORS.map(rgb);
    for (let i = 0; K && i < this.res * this.res; i++) {
      const p = out.subarray(i * K, i * K + K), top = Math.max(...p);
      const a = 0.15 + 0.55 * Math.max(0, (top - 1 / K) / (1 - 1 / K)); // more colour where more confident
      for (let j = 0; j < 4; j++) {
        img.data[4 * i + j] = j > 2 ? 255 : base[j] + (p.reduce((s, q, k) => s + q * cols[k % 10][j], 0) - base[j]) * a;
      }
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

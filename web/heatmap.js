// Inference views on a canvas. DecisionMap paints a classifier's class probabilities over a square grid of the
// input plane (an ImageData of resolution x resolution, scaled up) with the data points on top; FunctionPlot draws
// a 1-D regression's predicted curve over its points. Both only map coordinates and paint: the caller runs the
// model (one batched predict per frame) and decides when to repaint.
import { prepareCanvas as prepare } from './charts.js';

export const CLASS_COLORS = [[234, 120, 30], [37, 99, 235], [22, 163, 74], [168, 85, 247], [220, 38, 38]];
const css = (rgb, a = 1) => `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, ${a})`;

function drawProbe(ctx, p) {
  if (!p) return;
  ctx.strokeStyle = 'rgba(0,0,0,0.8)';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.arc(p[0], p[1], 7, 0, 2 * Math.PI);
  ctx.moveTo(p[0] - 11, p[1]); ctx.lineTo(p[0] - 4, p[1]);
  ctx.moveTo(p[0] + 4, p[1]); ctx.lineTo(p[0] + 11, p[1]);
  ctx.stroke();
}

export class DecisionMap {
  constructor(canvas, { resolution = 100, domain = [-1.25, 1.25] } = {}) {
    this.canvas = canvas;
    this.res = resolution;
    this.domain = domain;
    // The grid is drawn on a small canvas and scaled up with smoothing.
    this.image = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(resolution, resolution)
      : Object.assign(document.createElement('canvas'), { width: resolution, height: resolution });
    this.imageCtx = this.image.getContext('2d');
    this.pixels = this.imageCtx.createImageData(resolution, resolution);
    this.painted = false;
  }

  // Cell centres of the grid, row 0 at the top (largest x1): (res * res, 2).
  gridInputs() {
    const { res } = this, [lo, hi] = this.domain;
    const g = new Float32Array(res * res * 2);
    for (let r = 0; r < res; r++) {
      for (let c = 0; c < res; c++) {
        const i = (r * res + c) * 2;
        g[i] = lo + ((c + 0.5) / res) * (hi - lo);
        g[i + 1] = hi - ((r + 0.5) / res) * (hi - lo);
      }
    }
    return g;
  }

  // CSS pixel <-> data coordinates.
  toData(px, py) {
    const [lo, hi] = this.domain, w = this.canvas.clientWidth || this.canvas.width, h = this.canvas.clientHeight || this.canvas.height;
    return [lo + (px / w) * (hi - lo), hi - (py / h) * (hi - lo)];
  }
  toCanvas(x, y) {
    const [lo, hi] = this.domain, w = this.canvas.clientWidth || this.canvas.width, h = this.canvas.clientHeight || this.canvas.height;
    return [((x - lo) / (hi - lo)) * w, ((hi - y) / (hi - lo)) * h];
  }

  // probs: (res * res, K) class probabilities in gridInputs() order. The colour mixes the class colours by
  // probability and fades to white where the model is unsure.
  paint(probs, K) {
    const d = this.pixels.data, n = this.res * this.res;
    for (let i = 0; i < n; i++) {
      let r = 0, g = 0, b = 0, top = 0;
      for (let k = 0; k < K; k++) {
        const p = probs[i * K + k], col = CLASS_COLORS[k % CLASS_COLORS.length];
        r += p * col[0]; g += p * col[1]; b += p * col[2];
        if (p > top) top = p;
      }
      const a = 0.2 + 0.5 * Math.max(0, (top - 1 / K) / (1 - 1 / K)); // confidence in [0.2, 0.7]
      d[4 * i] = 255 + (r - 255) * a;
      d[4 * i + 1] = 255 + (g - 255) * a;
      d[4 * i + 2] = 255 + (b - 255) * a;
      d[4 * i + 3] = 255;
    }
    this.imageCtx.putImageData(this.pixels, 0, 0);
    this.painted = true;
  }

  // Draws the painted grid, then the points (x: (N, 2), labels: (N)); test points hollow. probe: [px, py] or null.
  // The points are drawn once into a layer of their own (they do not change while training), so a repaint is two
  // image copies: cheap for the page's main thread.
  render({ x, y, testX, testY, probe = null }) {
    const { ctx, w, h } = prepare(this.canvas);
    ctx.imageSmoothingEnabled = true;
    if (this.painted) ctx.drawImage(this.image, 0, 0, w, h);
    else { ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, w, h); }
    const key = `${this.canvas.width}x${this.canvas.height}`;
    if (!this.layer || this.layerKey !== key || this.layerData !== x) {
      this.layer = this.#drawPoints(x, y, testX, testY, w, h);
      this.layerKey = key;
      this.layerData = x;
    }
    ctx.drawImage(this.layer, 0, 0, w, h);
    drawProbe(ctx, probe);
  }

  #drawPoints(x, y, testX, testY, w, h) {
    const layer = Object.assign(document.createElement('canvas'), { width: this.canvas.width, height: this.canvas.height });
    const ctx = layer.getContext('2d');
    ctx.scale(this.canvas.width / w, this.canvas.height / h);
    const dots = (xs, ys, hollow) => {
      if (!xs) return;
      for (let i = 0; i < ys.length; i++) {
        const [px, py] = this.toCanvas(xs[2 * i], xs[2 * i + 1]);
        const col = CLASS_COLORS[ys[i] % CLASS_COLORS.length];
        ctx.beginPath();
        ctx.arc(px, py, 3.2, 0, 2 * Math.PI);
        if (hollow) { ctx.fillStyle = '#fff'; ctx.fill(); ctx.strokeStyle = css(col); ctx.lineWidth = 1.6; ctx.stroke(); } else {
          ctx.fillStyle = css(col); ctx.fill(); ctx.strokeStyle = '#fff'; ctx.lineWidth = 0.8; ctx.stroke();
        }
      }
    };
    dots(x, y, false);
    dots(testX, testY, true);
    return layer;
  }

  // The training or test point nearest to CSS pixel (px, py) within `radius` pixels, or null.
  nearest(px, py, sets, radius = 8) {
    let best = null, bestD = radius * radius;
    for (const [name, xs, ys] of sets) {
      if (!xs) continue;
      for (let i = 0; i < ys.length; i++) {
        const [qx, qy] = this.toCanvas(xs[2 * i], xs[2 * i + 1]);
        const dd = (qx - px) ** 2 + (qy - py) ** 2;
        if (dd <= bestD) { bestD = dd; best = { set: name, index: i, x: [xs[2 * i], xs[2 * i + 1]], label: ys[i] }; }
      }
    }
    return best;
  }
}

// y = f(x) for a 1-D regression: x domain [lo, hi], y range yDomain.
export class FunctionPlot {
  constructor(canvas, { resolution = 200, domain = [-1, 1], yDomain = [-1.3, 1.3] } = {}) {
    this.canvas = canvas;
    this.res = resolution;
    this.domain = domain;
    this.yDomain = yDomain;
    this.curve = null;
  }
  gridInputs() {
    const [lo, hi] = this.domain;
    return Float32Array.from({ length: this.res }, (_, i) => lo + (i / (this.res - 1)) * (hi - lo)); // (res, 1)
  }
  toData(px, py) {
    const [lo, hi] = this.domain, [ylo, yhi] = this.yDomain;
    const w = this.canvas.clientWidth || this.canvas.width, h = this.canvas.clientHeight || this.canvas.height;
    return [lo + (px / w) * (hi - lo), yhi - (py / h) * (yhi - ylo)];
  }
  toCanvas(x, y) {
    const [lo, hi] = this.domain, [ylo, yhi] = this.yDomain;
    const w = this.canvas.clientWidth || this.canvas.width, h = this.canvas.clientHeight || this.canvas.height;
    return [((x - lo) / (hi - lo)) * w, ((yhi - y) / (yhi - ylo)) * h];
  }
  paint(values) {
    this.curve = Float32Array.from(values);
  }
  render({ x, y, testX, testY, probe = null }) {
    const { ctx, w, h } = prepare(this.canvas);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = '#ddd';
    ctx.beginPath();
    const [, y0] = this.toCanvas(0, 0);
    ctx.moveTo(0, y0); ctx.lineTo(w, y0);
    ctx.stroke();
    const dots = (xs, ys, hollow) => {
      if (!xs) return;
      for (let i = 0; i < ys.length; i++) {
        const [px, py] = this.toCanvas(xs[i], ys[i]);
        ctx.beginPath();
        ctx.arc(px, py, 3, 0, 2 * Math.PI);
        ctx.strokeStyle = css(CLASS_COLORS[1]);
        ctx.fillStyle = hollow ? '#fff' : css(CLASS_COLORS[1], 0.8);
        ctx.fill(); ctx.stroke();
      }
    };
    dots(x, y, false);
    dots(testX, testY, true);
    if (this.curve) {
      const xs = this.gridInputs();
      ctx.strokeStyle = css(CLASS_COLORS[0]);
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      for (let i = 0; i < xs.length; i++) {
        const [px, py] = this.toCanvas(xs[i], this.curve[i]);
        if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
      }
      ctx.stroke();
    }
    drawProbe(ctx, probe);
  }
  nearest(px, py, sets, radius = 8) {
    let best = null, bestD = radius * radius;
    for (const [name, xs, ys] of sets) {
      if (!xs) continue;
      for (let i = 0; i < ys.length; i++) {
        const [qx, qy] = this.toCanvas(xs[i], ys[i]);
        const dd = (qx - px) ** 2 + (qy - py) ** 2;
        if (dd <= bestD) { bestD = dd; best = { set: name, index: i, x: [xs[i]], label: ys[i] }; }
      }
    }
    return best;
  }
}

// Inference views on a canvas. DecisionMap paints a classifier's class probabilities over a square grid of the
// input plane (an ImageData of resolution x resolution, scaled up) with the data points on top; FunctionPlot
// (plot.js) draws a 1-D regression's predicted curve over its points. Both only map coordinates and paint: the
// caller runs the model (one batched predict per frame) and decides when to repaint. Used by the <tiny-train>
// widget and the playground.
import { prepareCanvas } from './chart.js';
import { classColor, rgbOf, LIGHT } from './palette.js';

// The reader's point: a ring with a cross hair, in the surface's ink.
export function drawProbe(ctx, point, ink) {
  if (!point) return;
  const [x, y] = point;
  ctx.strokeStyle = ink;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.arc(x, y, 7, 0, 2 * Math.PI);
  ctx.moveTo(x - 11, y);
  ctx.lineTo(x - 4, y);
  ctx.moveTo(x + 4, y);
  ctx.lineTo(x + 11, y);
  ctx.stroke();
}

// The canvas's CSS size (its pixel size before layout).
export const cssSize = (canvas) => [canvas.clientWidth || canvas.width, canvas.clientHeight || canvas.height];

export class DecisionMap {
  /**
   * domain: [lo, hi] for both inputs, or [[lo, hi] of x0, [lo, hi] of x1]; pointRadius: the data points' size in
   * CSS pixels.
   */
  constructor(canvas, { resolution = 100, domain = [-1.25, 1.25], pointRadius = 3.2 } = {}) {
    this.canvas = canvas;
    this.res = resolution;
    this.axes = Array.isArray(domain[0]) ? domain : [domain, domain];
    this.pointRadius = pointRadius;
    // The grid is drawn on a small canvas and scaled up with smoothing.
    this.image = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(resolution, resolution)
      : Object.assign(document.createElement('canvas'), { width: resolution, height: resolution });
    this.imageContext = this.image.getContext('2d');
    this.pixels = this.imageContext.createImageData(resolution, resolution);
    this.rowsPainted = 0; // grid rows painted at least once (a first paint may come in bands)
    this.grid = null;
  }

  /** Cell centres of the grid, row 0 at the top (largest x1): (res * res, 2). Made once: the domain is fixed. */
  gridInputs() {
    if (this.grid) return this.grid;
    const { res } = this;
    const [[x0Low, x0High], [x1Low, x1High]] = this.axes;
    const grid = new Float32Array(res * res * 2);
    for (let row = 0; row < res; row++) {
      for (let column = 0; column < res; column++) {
        const i = (row * res + column) * 2;
        grid[i] = x0Low + ((column + 0.5) / res) * (x0High - x0Low);
        grid[i + 1] = x1High - ((row + 0.5) / res) * (x1High - x1Low);
      }
    }
    this.grid = grid;
    return grid;
  }

  /** CSS pixel -> data coordinates. */
  toData(px, py) {
    const [[x0Low, x0High], [x1Low, x1High]] = this.axes, [w, h] = cssSize(this.canvas);
    return [x0Low + (px / w) * (x0High - x0Low), x1High - (py / h) * (x1High - x1Low)];
  }

  /** Data -> CSS pixel coordinates; size: the canvas's CSS [width, height] when the caller knows it. */
  toCanvas(x0, x1, [w, h] = cssSize(this.canvas)) {
    const [[x0Low, x0High], [x1Low, x1High]] = this.axes;
    return [((x0 - x0Low) / (x0High - x0Low)) * w, ((x1High - x1) / (x1High - x1Low)) * h];
  }

  /**
   * probs: (rows * res, K) class probabilities of the grid rows from firstRow on, in gridInputs() order (all rows
   * unless firstRow is given). The colour mixes the class colours by probability and fades to the background
   * where the model is unsure.
   */
  paint(probs, K, { background = LIGHT.background, firstRow = 0 } = {}) {
    const data = this.pixels.data, base = rgbOf(background), colors = [];
    for (let k = 0; k < K; k++) colors.push(rgbOf(classColor(k)));
    const count = probs.length / K, start = firstRow * this.res;
    for (let j = 0; j < count; j++) {
      let r = 0, g = 0, b = 0, top = 0;
      for (let k = 0; k < K; k++) {
        const p = probs[j * K + k], color = colors[k];
        r += p * color[0];
        g += p * color[1];
        b += p * color[2];
        if (p > top) top = p;
      }
      const alpha = 0.2 + 0.5 * Math.max(0, (top - 1 / K) / (1 - 1 / K)); // confidence, in [0.2, 0.7]
      const i = 4 * (start + j);
      data[i] = base[0] + (r - base[0]) * alpha;
      data[i + 1] = base[1] + (g - base[1]) * alpha;
      data[i + 2] = base[2] + (b - base[2]) * alpha;
      data[i + 3] = 255;
    }
    this.rowsPainted = Math.max(this.rowsPainted, firstRow + count / this.res);
    this.imageContext.putImageData(this.pixels, 0, 0);
  }

  /**
   * Draws the painted grid, then the points (x: (N, 2), y: (N) labels); test points hollow. probe: [px, py] in CSS
   * pixels, or null; colors: the surface (palette.js's LIGHT or the like). The points are drawn once into a layer of
   * their own (they do not change while training), so a repaint is two image copies: cheap for the page's main
   * thread.
   */
  render({ x, y, testX, testY, probe = null, colors = LIGHT }) {
    const { ctx, w, h } = prepareCanvas(this.canvas);
    ctx.imageSmoothingEnabled = true;
    ctx.fillStyle = colors.background; // under rows not painted yet
    ctx.fillRect(0, 0, w, h);
    if (this.rowsPainted) ctx.drawImage(this.image, 0, 0, w, h);
    const key = `${this.canvas.width}x${this.canvas.height} ${colors.background}`;
    if (!this.layer || this.layerKey !== key || this.layerData !== x) {
      this.layer = this.#drawPoints(x, y, testX, testY, w, h, colors.background);
      this.layerKey = key;
      this.layerData = x;
    }
    ctx.drawImage(this.layer, 0, 0, w, h);
    drawProbe(ctx, probe, colors.ink);
  }

  #drawPoints(x, y, testX, testY, w, h, background) {
    const layer = Object.assign(document.createElement('canvas'), { width: this.canvas.width, height: this.canvas.height });
    const ctx = layer.getContext('2d');
    ctx.scale(this.canvas.width / w, this.canvas.height / h);
    // One path per class, filled and stroked once: a path per point would cost a phone's frame. Training points
    // are filled; held-out points hollow.
    const dots = (xs, labels, hollow) => {
      if (!xs) return;
      const paths = [], r = this.pointRadius;
      for (let i = 0; i < labels.length; i++) {
        // the size given, not read per point: each read of the canvas's size may force a layout
        const [px, py] = this.toCanvas(xs[2 * i], xs[2 * i + 1], [w, h]), path = paths[labels[i]] ??= new Path2D();
        path.moveTo(px + r, py);
        path.arc(px, py, r, 0, 2 * Math.PI);
      }
      paths.forEach((path, k) => {
        const color = classColor(k);
        ctx.fillStyle = hollow ? background : color;
        ctx.fill(path);
        ctx.strokeStyle = hollow ? color : background;
        ctx.lineWidth = hollow ? 1.6 : 0.8;
        ctx.stroke(path);
      });
    };
    dots(x, y, false);
    dots(testX, testY, true);
    return layer;
  }
}

/**
 * The training or test point nearest to CSS pixel (px, py) of a DecisionMap or FunctionPlot within `radius` pixels,
 * or null. sets: [[name, xs, labels]]; xs holds two inputs per point on a map, one on a plot (where the label is
 * the point's height). Returns {set, index, x: the point's inputs, label}. A function, not a method: only the
 * playground asks, so the widget does not carry it.
 */
export function nearestPoint(view, px, py, sets, radius = 8) {
  let best = null, bestDistance = radius * radius;
  for (const [name, xs, labels] of sets) {
    if (!xs) continue;
    const inputs = xs.length / labels.length;
    for (let i = 0; i < labels.length; i++) {
      const x = inputs === 2 ? [xs[2 * i], xs[2 * i + 1]] : [xs[i]];
      const [qx, qy] = view.toCanvas(x[0], inputs === 2 ? x[1] : labels[i]);
      const distance = (qx - px) ** 2 + (qy - py) ** 2;
      if (distance <= bestDistance) {
        bestDistance = distance;
        best = { set: name, index: i, x, label: labels[i] };
      }
    }
  }
  return best;
}

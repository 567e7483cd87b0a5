// FunctionPlot: a 1-D regression's predicted curve over its points, the inference view of map.js's DecisionMap for
// one input. A module of its own: the widget loads it only for a regression demo (sine), so its first load does
// not carry it.
import { prepareCanvas } from './chart.js';
import { classColor, rgbOf, LIGHT } from './palette.js';
import { drawProbe, cssSize } from './map.js';

const rgba = (hex, alpha = 1) => {
  const [r, g, b] = rgbOf(hex);
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
};

/** y = f(x) for a 1-D regression: x domain [lo, hi], y range yDomain. */
export class FunctionPlot {
  constructor(canvas, { resolution = 200, domain = [-1, 1], yDomain = [-1.3, 1.3], pointRadius = 3 } = {}) {
    this.canvas = canvas;
    this.res = resolution;
    this.domain = domain;
    this.yDomain = yDomain;
    this.pointRadius = pointRadius;
    this.curve = null;
    this.grid = null;
  }

  /** The x values the curve is drawn through: (res, 1). */
  gridInputs() {
    const [lo, hi] = this.domain;
    this.grid ??= Float32Array.from({ length: this.res }, (_, i) => lo + (i / (this.res - 1)) * (hi - lo));
    return this.grid;
  }

  toData(px, py) {
    const [lo, hi] = this.domain, [yLow, yHigh] = this.yDomain, [w, h] = cssSize(this.canvas);
    return [lo + (px / w) * (hi - lo), yHigh - (py / h) * (yHigh - yLow)];
  }

  toCanvas(x, y, [w, h] = cssSize(this.canvas)) {
    const [lo, hi] = this.domain, [yLow, yHigh] = this.yDomain;
    return [((x - lo) / (hi - lo)) * w, ((yHigh - y) / (yHigh - yLow)) * h];
  }

  /** values: the model's output at gridInputs(). */
  paint(values) {
    this.curve = Float32Array.from(values);
  }

  /** The points (x: (N), y: (N) targets; test points hollow), the x axis, the curve, and the probe [px, py]. */
  render({ x, y, testX, testY, probe = null, colors = LIGHT }) {
    const { ctx, w, h } = prepareCanvas(this.canvas);
    ctx.fillStyle = colors.background;
    ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = colors.grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    const size = [w, h]; // given to toCanvas, not read per point: each read of the canvas's size may force a layout
    const [, zero] = this.toCanvas(0, 0, size);
    ctx.moveTo(0, zero);
    ctx.lineTo(w, zero);
    ctx.stroke();
    const dots = (xs, ys, hollow) => {
      if (!xs) return;
      for (let i = 0; i < ys.length; i++) {
        const [px, py] = this.toCanvas(xs[i], ys[i], size);
        ctx.beginPath();
        ctx.arc(px, py, this.pointRadius, 0, 2 * Math.PI);
        ctx.strokeStyle = classColor(1);
        ctx.fillStyle = hollow ? colors.background : rgba(classColor(1), 0.8);
        ctx.fill();
        ctx.stroke();
      }
    };
    dots(x, y, false);
    dots(testX, testY, true);
    if (this.curve) {
      const xs = this.gridInputs();
      ctx.strokeStyle = classColor(0);
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      for (let i = 0; i < xs.length; i++) {
        const [px, py] = this.toCanvas(xs[i], this.curve[i], size);
        if (i === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.stroke();
    }
    drawProbe(ctx, probe, colors.ink);
  }
}

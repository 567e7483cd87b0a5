// Loss curves on a canvas: a bounded history of (step, value) points and a line chart that draws several series
// on a log or linear y axis. No DOM beyond the canvas it is given; the caller decides when to redraw. Used by the
// <tiny-train> widget and the demos.
import { LIGHT } from './palette.js';

// A bounded series: when it reaches `cap` points, neighbours are merged pairwise (mean of values, last step), so
// memory stays flat on long runs and the result depends only on the points added, never on timing.
export class Series {
  constructor(cap = 4000) {
    this.cap = cap;
    this.steps = [];
    this.values = [];
    this.pending = null; // an odd point waiting for a partner at the current resolution
    this.merge = 1;      // raw points per stored point
    this.count = 0;
  }
  push(step, value) {
    if (!Number.isFinite(value)) return;
    this.count++;
    if (this.merge > 1) {
      const p = this.pending || { n: 0, sum: 0 };
      p.n++; p.sum += value; p.step = step;
      if (p.n < this.merge) { this.pending = p; return; }
      this.pending = null;
      step = p.step; value = p.sum / p.n;
    }
    this.steps.push(step);
    this.values.push(value);
    if (this.steps.length >= this.cap) this.#halve();
  }
  #halve() {
    const s = [], v = [];
    for (let i = 0; i + 1 < this.steps.length; i += 2) {
      s.push(this.steps[i + 1]);
      v.push((this.values[i] + this.values[i + 1]) / 2);
    }
    this.steps = s; this.values = v;
    this.merge *= 2;
  }
  get length() { return this.steps.length; }
  get first() { return this.values[0]; }
  get last() { return this.values[this.values.length - 1]; }
  clear() { this.steps = []; this.values = []; this.pending = null; this.merge = 1; this.count = 0; }
}

// 1-2-5 ticks over a few decades; only powers of ten (every k-th) when the range is wide.
function niceLogTicks(lo, hi) {
  const ticks = [];
  const e0 = Math.floor(Math.log10(lo)), e1 = Math.ceil(Math.log10(hi));
  const decades = e1 - e0;
  const mult = decades <= 2 ? [1, 2, 5] : [1];
  const every = Math.max(1, Math.ceil(decades / 6));
  for (let e = e0; e <= e1; e++) {
    if (e % every !== 0) continue;
    for (const m of mult) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  return ticks;
}

function niceLinearTicks(lo, hi, n = 4) {
  const span = hi - lo || 1;
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) ticks.push(+v.toPrecision(6));
  return ticks;
}

const fmtTick = (v) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(0) : String(+v.toPrecision(3)));

/** Sizes the backing store to the CSS size times devicePixelRatio; returns {ctx, w, h} in CSS pixels. */
export function prepareCanvas(canvas) {
  const dpr = (typeof devicePixelRatio === 'number' && devicePixelRatio) || 1;
  const w = canvas.clientWidth || canvas.width, h = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w, h };
}

/**
 * Draws series [{series: Series, color, label, dots?}] into canvas (CSS size, devicePixelRatio aware).
 * opts: {logY = true, logX = true (from 100 steps), colors: {text, grid, background} (palette.js's LIGHT by
 * default), empty: the text shown before there is any point}.
 */
export function drawLineChart(canvas, lines, opts = {}) {
  const { ctx, w, h } = prepareCanvas(canvas);
  const c = { ...LIGHT, ...(opts.colors || {}) };
  ctx.fillStyle = c.background;
  ctx.fillRect(0, 0, w, h);
  const pad = { l: 44, r: 10, t: 22, b: 32 }; // the legend sits in the top band; the step axis's two lines below
  const pw = w - pad.l - pad.r, ph = h - pad.t - pad.b;
  let logY = opts.logY !== false;
  let xMax = 1, yLo = Infinity, yHi = -Infinity;
  for (const { series } of lines) {
    if (!series.length) continue;
    xMax = Math.max(xMax, series.steps[series.length - 1]);
    for (const v of series.values) { yLo = Math.min(yLo, v); yHi = Math.max(yHi, v); }
  }
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = c.text;
  if (!Number.isFinite(yLo)) {
    ctx.fillText(opts.empty || 'no data yet', pad.l + 8, pad.t + ph / 2);
    return;
  }
  if (logY && yLo <= 0) logY = false;
  if (logY) { yLo = Math.max(yLo, yHi * 1e-6); yLo /= 1.2; yHi *= 1.2; } else { const m = (yHi - yLo) * 0.08 || 0.1; yLo -= m; yHi += m; }
  const fy = logY ? (v) => (Math.log(Math.max(v, yLo)) - Math.log(yLo)) / (Math.log(yHi) - Math.log(yLo))
    : (v) => (v - yLo) / (yHi - yLo);
  // The step axis is logarithmic once there are 100 steps, so the first steps, where most of the learning
  // happens, get as much room as the thousands after them.
  const logX = opts.logX !== false && xMax >= 100;
  const X = logX ? (s) => pad.l + (Math.log10(Math.max(s, 1)) / Math.log10(xMax)) * pw : (s) => pad.l + (s / xMax) * pw;
  const Y = (v) => pad.t + ph - fy(v) * ph;
  // grid and y ticks
  ctx.strokeStyle = c.grid;
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  // A log axis over less than a few 1-2-5 steps gets evenly spaced ticks, so it still has numbers.
  let ticks = logY ? niceLogTicks(yLo, yHi) : niceLinearTicks(yLo, yHi);
  if (logY && ticks.length < 2) ticks = niceLinearTicks(yLo, yHi).filter((t) => t > 0);
  for (const t of ticks) {
    const y = Math.round(Y(t)) + 0.5;
    ctx.beginPath(); ctx.moveTo(pad.l, y); ctx.lineTo(pad.l + pw, y); ctx.stroke();
    ctx.fillText(fmtTick(t), pad.l - 4, y);
  }
  ctx.textAlign = 'center'; // the step axis's ticks, the first under the axis's origin
  ctx.textBaseline = 'alphabetic';
  if (!logX) ctx.fillText('0', pad.l, h - 17);
  for (let v = 1; logX && v < xMax / 3; v *= 10) { // decades from 1, clear of the right edge
    const x = Math.round(X(v)) + 0.5;
    ctx.beginPath(); ctx.moveTo(x, pad.t); ctx.lineTo(x, pad.t + ph); ctx.stroke();
    ctx.fillText(v < 1e3 ? v : `${v / 1e3}k`, x, h - 17);
  }
  ctx.textAlign = 'right'; // the axis's name on a line of its own, under the ticks: no tick label runs into it
  ctx.fillText(`step ${Math.round(xMax)}${logX ? ' (log scale)' : ''}`, pad.l + pw, h - 6);
  // series: at most one vertex per pixel column (min/max kept would hide nothing important at this scale)
  for (const { series, color, dots } of lines) {
    if (!series.length) continue;
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let lastX = -1;
    for (let i = 0; i < series.length; i++) {
      const x = X(series.steps[i]);
      if (dots || series.length === 1) { // a single point has no line to draw
        ctx.fillRect(x - 1.5, Y(series.values[i]) - 1.5, 3, 3);
        continue;
      }
      if (i > 0 && x - lastX < 0.5 && i < series.length - 1) continue;
      if (lastX < 0) ctx.moveTo(x, Y(series.values[i])); else ctx.lineTo(x, Y(series.values[i]));
      lastX = x;
    }
    if (!dots) ctx.stroke();
  }
  // legend
  ctx.textAlign = 'left';
  let lx = pad.l + 8;
  for (const { color, label } of lines) {
    if (!label) continue;
    ctx.fillStyle = color;
    ctx.fillRect(lx, 8, 10, 3);
    ctx.fillStyle = c.text;
    ctx.fillText(label, lx + 14, 13);
    lx += 20 + ctx.measureText(label).width;
  }
}

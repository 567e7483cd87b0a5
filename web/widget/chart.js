// The widget's loss plot: a few (step, value) lines on a log axis, with bounded memory. The playground's fuller
// web/charts.js would not fit the widget's 80 KiB JS budget beside the runtime; this does the little needed.
export class Line {
  constructor(label, color) { Object.assign(this, { label, color, s: [], v: [] }); }
  push(step, value) {
    if (!(value > 0) || !Number.isFinite(value)) return; // losses only: the axis is logarithmic
    this.s.push(step);
    this.v.push(value);
    if (this.s.length > 1200) { const odd = (_, i) => i & 1; this.s = this.s.filter(odd); this.v = this.v.filter(odd); }
  }
  clear() { this.s = []; this.v = []; }
}

export function plot(canvas, lines, { bg, fg, grid }, empty) {
  const dpr = devicePixelRatio || 1, w = canvas.clientWidth, h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * dpr)) { canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr); }
  const ctx = canvas.getContext('2d'), all = lines.flatMap((l) => l.v);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, w, h);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = fg;
  if (!all.length) return ctx.fillText(empty, 8, h / 2);
  const lo = Math.log(Math.min(...all)) - 0.1, hi = Math.log(Math.max(...all)) + 0.1;
  const xMax = Math.max(1, ...lines.map((l) => l.s.at(-1) ?? 0)), L = 42, T = 18, W = w - L - 6, H = h - T - 16;
  const X = (s) => L + (s / xMax) * W, Y = (v) => T + H - ((Math.log(v) - lo) / (hi - lo)) * H;
  ctx.strokeStyle = grid;
  for (const e of [lo + 0.1, hi - 0.1]) { // the lowest and highest loss, labelled
    ctx.fillText(Math.exp(e).toPrecision(2), 2, Y(Math.exp(e)) + 4);
    ctx.strokeRect(L, Math.round(Y(Math.exp(e))) + 0.5, W, 0);
  }
  ctx.fillText(`step ${xMax}`, w - 70, h - 3);
  lines.forEach((l, k) => {
    ctx.strokeStyle = ctx.fillStyle = l.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    l.s.forEach((s, i) => ctx.lineTo(X(s), Y(l.v[i])));
    ctx.stroke();
    ctx.fillRect(L + 8 + 100 * k, 7, 10, 3);
    ctx.fillText(l.label, L + 22 + 100 * k, 12);
  });
}

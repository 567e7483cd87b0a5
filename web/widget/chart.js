// The widget's loss plot: lines of (step, loss) on a log axis with bounded memory (web/charts.js, the playground's
// fuller chart, does not fit the widget's JS budget).
export class Line {
  constructor(label, color) { Object.assign(this, { label, color, s: [], v: [] }); }
  push(step, loss) {
    if (!(loss > 0 && loss < Infinity)) return;
    this.s.push(step);
    this.v.push(loss);
    if (this.s.length > 1200) { const odd = (_, i) => i & 1; this.s = this.s.filter(odd); this.v = this.v.filter(odd); }
  }
  clear() { this.s = []; this.v = []; }
}

// A canvas sized to its CSS box at the device's pixel ratio, filled with bg; drawn on in CSS pixels (w, h).
export function clear(canvas, bg) {
  const dpr = devicePixelRatio || 1, w = canvas.clientWidth, h = canvas.clientHeight, ctx = canvas.getContext('2d');
  if (canvas.width !== Math.round(w * dpr)) { canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr); }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, w, h);
  return { ctx, w, h };
}

export function plot(canvas, lines, { bg, fg }, empty) {
  const { ctx, w, h } = clear(canvas, bg), all = lines.flatMap((l) => l.v);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = ctx.strokeStyle = fg;
  if (!all.length) return ctx.fillText(empty, 8, h / 2);
  const lo = Math.min(...all), hi = Math.max(...all), xMax = Math.max(1, ...lines.map((l) => l.s.at(-1) ?? 0));
  const X = (s) => 42 + (s / xMax) * (w - 48), Y = (v) => 18 + (h - 34) * (1 - Math.log(v / lo) / (Math.log(hi / lo) || 1));
  for (const v of [lo, hi]) ctx.fillText(v.toPrecision(2), 2, Y(v) + 4); // the axis: lowest and highest loss
  ctx.fillText(`step ${xMax}`, w - 70, h - 3);
  lines.forEach((l, k) => {
    ctx.strokeStyle = ctx.fillStyle = l.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    l.s.forEach((s, i) => ctx.lineTo(X(s), Y(l.v[i])));
    ctx.stroke();
    ctx.fillText(`— ${l.label}`, 50 + 100 * k, 11);
  });
}

// An attention map on a canvas: one L x L matrix of weights (row q: what position q attends to over positions
// 0..q) as shades of one colour, with the tokens along both axes. Pure drawing from data; no DOM beyond the canvas.
//
//   drawAttention(canvas, weights /* Float32Array L*L */, labels /* L strings */, { colors, accent, maxCell })
// colors: palette.js's LIGHT or DARK; accent: the [r, g, b] of full weight; maxCell: the largest cell in CSS px.
import { LIGHT } from './palette.js';
import { prepareCanvas } from './chart.js';

export function drawAttention(canvas, weights, labels, opts = {}) {
  const { ctx, w, h } = prepareCanvas(canvas);
  const c = { ...LIGHT, ...(opts.colors || {}) };
  const accent = opts.accent || [37, 99, 235];
  ctx.fillStyle = c.background;
  ctx.fillRect(0, 0, w, h);
  const L = labels.length;
  ctx.font = '11px ui-monospace, monospace';
  ctx.fillStyle = c.text;
  if (!L || !weights || weights.length < L * L) {
    ctx.fillText(opts.empty || 'type something', 8, h / 2);
    return;
  }
  const margin = 28; // room for the labels on the left and at the top
  const cell = Math.min(opts.maxCell ?? 32, Math.max(2, Math.floor(Math.min((w - margin) / L, (h - margin) / L))));
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const fontPx = Math.min(11, cell - 1);
  ctx.font = `${fontPx}px ui-monospace, monospace`;
  for (let i = 0; i < L; i++) {
    if (fontPx >= 6) {
      ctx.fillStyle = c.text;
      ctx.fillText(labels[i], margin + (i + 0.5) * cell, margin / 2);   // keys along the top
      ctx.fillText(labels[i], margin / 2, margin + (i + 0.5) * cell);   // queries down the side
    }
  }
  for (let q = 0; q < L; q++) {
    for (let k = 0; k < L; k++) {
      const v = k > q ? 0 : Math.min(1, Math.max(0, weights[q * L + k]));
      ctx.fillStyle = k > q ? c.grid : `rgba(${accent[0]}, ${accent[1]}, ${accent[2]}, ${v.toFixed(3)})`;
      ctx.fillRect(margin + k * cell, margin + q * cell, cell - 1, cell - 1);
    }
  }
}

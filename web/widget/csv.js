// A same-origin CSV for <tiny-train src="data.csv">, loaded on demand (only widgets with a CSV import it).
import { mulberry32 } from '../datasets.js';
import { bad } from './config.js';

const MAX_ROWS = 20000;

/**
 * CSV -> {x (N, F), y (N), testX, testY, features: F, classes, domain: [lo, hi] per column}. Numbers only; the last
 * column is the label, a first line that is not numbers is a header. Labels 0..9 mean classes, anything else a
 * regression target. A quarter of the rows (seeded shuffle) are kept for testing.
 */
export function parseCsv(text, name, seed) {
  const rows = [];
  let cols = 0;
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const cells = line.split(',').map((c) => c.trim()), nums = cells.map(Number);
    const k = cells.findIndex((c, j) => !c || !Number.isFinite(nums[j]));
    if (k >= 0 && !cols) { cols = cells.length; return; } // the header
    if (k >= 0) bad(`${name}:${i + 1}:${k + 1}`, 'a number', cells[k]);
    cols ||= cells.length;
    if (cells.length !== cols) bad(`${name}:${i + 1}`, `${cols} columns`, line);
    if (rows.push(nums) > MAX_ROWS) bad(name, `at most ${MAX_ROWS} rows`, '…');
  });
  const F = cols - 1;
  if (F < 1 || rows.length < 8) bad(name, 'at least 8 rows of features then a label', text.slice(0, 40));
  const labels = rows.map((r) => r[F]);
  const classes = labels.every((v) => Number.isInteger(v) && v >= 0 && v < 10) ? Math.max(1, ...labels) + 1 : 0;
  const rand = mulberry32(seed);
  for (let i = rows.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [rows[i], rows[j]] = [rows[j], rows[i]]; }
  const pack = (part) => ({
    x: Float32Array.from(part.flatMap((r) => r.slice(0, F))), // (N, F)
    y: classes ? Int32Array.from(part, (r) => r[F]) : Float32Array.from(part, (r) => r[F]), // (N)
  });
  const nTest = rows.length >> 2, train = pack(rows.slice(nTest)), test = pack(rows.slice(0, nTest));
  const domain = Array.from({ length: classes ? F : F + 1 }, (_, k) => { // features (and targets, to plot a curve)
    const v = rows.map((r) => r[k]), lo = Math.min(...v), hi = Math.max(...v), m = (hi - lo) / 10 || 1;
    return [lo - m, hi + m];
  });
  return { x: train.x, y: train.y, testX: test.x, testY: test.y, features: F, classes, domain };
}

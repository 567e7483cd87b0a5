// <tiny-train>'s attributes -> a checked config and a model spec; CSV text -> training arrays. No DOM. Attribute
// values are untrusted: a bad one gives a message naming the attribute, and its default is kept.
import { DATASETS, outputUnits, mulberry32 } from '../datasets.js';

const ACTS = ['relu', 'tanh', 'sigmoid', 'gelu', 'leaky_relu', 'linear'];
export const KNOBS = ['lr', 'batch-size'];
export const LIMITS = { units: 256, rows: 20000, bytes: 32e6 };
export const DEFAULTS = { demo: 'spiral', layers: [[16, 'relu'], [16, 'relu']], optimizer: 'adam', lr: 0.03,
  'batch-size': 32, seed: 1, steps: 2000, controls: ['lr'], theme: 'auto', autoplay: false, src: '' };

const q = (s) => JSON.stringify(String(s).slice(0, 40));
const bad = (name, want, s) => { throw new Error(`${name}: expected ${want}, got ${q(s)}`); };
const int = (name, lo, hi) => (s) => {
  const v = Number(s);
  return s.trim() && Number.isInteger(v) && v >= lo && v <= hi ? v : bad(name, `an integer from ${lo} to ${hi}`, s);
};
const oneOf = (name, list) => (s) => (list.includes(s) ? s : bad(name, `one of ${list.join(', ')}`, s));

// "16 tanh, 16 tanh" -> [[16, 'tanh'], [16, 'tanh']]; "none": no hidden layer.
function layers(s) {
  if (s.trim() === 'none') return [];
  const parts = s.split(',');
  if (parts.length > 6) bad('layers', 'at most 6 hidden layers', s);
  return parts.map((p, i) => {
    const [u, act = 'relu', more] = p.trim().split(/\s+/);
    if (more || !ACTS.includes(act)) bad(`layers item ${i + 1}`, `"units activation" with an activation among ${ACTS.join(', ')}`, p.trim());
    return [int(`layers item ${i + 1} units`, 1, LIMITS.units)(u), act];
  });
}

const PARSERS = {
  demo: oneOf('demo', Object.keys(DATASETS)),
  layers,
  optimizer: oneOf('optimizer', ['sgd', 'momentum', 'adam', 'adamw']),
  lr: (s) => (s.trim() && Number(s) > 0 && Number(s) <= 10 ? Number(s) : bad('lr', 'a number above 0, at most 10', s)),
  'batch-size': int('batch-size', 1, 1024),
  seed: int('seed', 0, 0xffffffff),
  steps: int('steps', 1, 1e6),
  controls: (s) => s.split(/[\s,]+/).filter((k) => k && oneOf('controls', [...KNOBS, 'none'])(k) !== 'none'),
  theme: oneOf('theme', ['light', 'dark', 'auto']),
};
export const ATTRIBUTES = [...Object.keys(PARSERS), 'autoplay', 'src'];

/** Reads the attributes through get(name) (null when absent): {config, problems: [message]}. */
export function readConfig(get) {
  const config = { ...DEFAULTS }, problems = [];
  for (const [name, parse] of Object.entries(PARSERS)) {
    try {
      if (get(name) !== null) config[name] = parse(get(name));
    } catch (e) {
      problems.push(e.message);
    }
  }
  config.autoplay = get('autoplay') !== null && get('autoplay') !== 'false';
  config.src = (get('src') || '').trim();
  if (get('lr') === null && config.optimizer !== 'adam' && config.optimizer !== 'adamw') config.lr = 0.1; // sgd's usual
  return { config, problems };
}

/** The model spec for `features` inputs and `classes` classes (0: regression). */
export function buildSpec(c, features, classes) {
  const loss = classes ? 'cross_entropy' : 'mse', list = [];
  for (const [units, act] of c.layers) list.push({ type: 'dense', units }, ...(act === 'linear' ? [] : [{ type: act }]));
  list.push({ type: 'dense', units: outputUnits(classes, loss) });
  const optimizer = c.optimizer === 'momentum' ? { type: 'sgd', lr: c.lr, momentum: 0.9 } : { type: c.optimizer, lr: c.lr };
  return { input: [features], layers: list, loss, optimizer, seed: c.seed };
}

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
    if (rows.push(nums) > LIMITS.rows) bad(name, `at most ${LIMITS.rows} rows`, '…');
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

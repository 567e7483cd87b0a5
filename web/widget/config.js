// <tiny-train>'s attributes -> a checked config and a model spec. No DOM. Attribute values are untrusted: a bad
// one gives a message naming the attribute, and its default is kept.
import { DATASETS } from '../datasets.js';
import { mlpSpec } from '../models.js';
import { ACTIVATIONS } from '../layer-types.js';

// the core's element-wise activations (its table of layers), and 'linear' for none
const ACTS = [...ACTIVATIONS, 'linear'];
export const KNOBS = ['lr', 'batch-size', 'speed'];
export const LIMITS = { units: 256, bytes: 32e6 };
export const DEFAULTS = { demo: 'spiral', layers: [[16, 'relu'], [16, 'relu']], optimizer: 'adam', lr: 0.03,
  'batch-size': 32, speed: 'fast', seed: 1, steps: 2000, controls: ['lr'], theme: 'auto', autoplay: false, src: '',
  data: '', corpus: 'words', size: 'small', tokenizer: 'characters', prefix: '', panels: '' };
const DIGITS = { layers: [[128, 'relu']], lr: 0.001, 'batch-size': 64 }; // demo="digits": the classic MLP
const TEXT = { lr: 0.003, steps: 3000 }; // demo="text": web/text/gpt.js's recipe (GPT_DEFAULTS, checked by a test)

const q = (s) => JSON.stringify(String(s).slice(0, 40));
export const bad = (name, want, s) => { throw new Error(`${name}: expected ${want}, got ${q(s)}`); };
const int = (name, lo, hi) => (s) => {
  const v = Number(s);
  return s.trim() && Number.isInteger(v) && v >= lo && v <= hi ? v : bad(name, `an integer from ${lo} to ${hi}`, s);
};
const oneOf = (name, list) => (s) => (list.includes(s) ? s : bad(name, `one of ${list.join(', ')}`, s));

// "16 tanh, 16 tanh" -> [[16, 'tanh'], [16, 'tanh']]; "none": no hidden layer; "cnn": demo="digits"'s CNN.
function layers(s) {
  if (s.trim() === 'none') return [];
  if (s.trim() === 'cnn') return 'cnn';
  const parts = s.split(',');
  if (parts.length > 6) bad('layers', 'at most 6 hidden layers', s);
  return parts.map((p, i) => {
    const [u, act = 'relu', more] = p.trim().split(/\s+/);
    if (more || !ACTS.includes(act)) bad(`layers item ${i + 1}`, `"units activation" with an activation among ${ACTS.join(', ')}`, p.trim());
    return [int(`layers item ${i + 1} units`, 1, LIMITS.units)(u), act];
  });
}

const PARSERS = {
  demo: oneOf('demo', [...Object.keys(DATASETS), 'digits', 'text']),
  layers,
  optimizer: oneOf('optimizer', ['sgd', 'momentum', 'adam', 'adamw']),
  lr: (s) => (s.trim() && Number(s) > 0 && Number(s) <= 10 ? Number(s) : bad('lr', 'a number above 0, at most 10', s)),
  'batch-size': int('batch-size', 1, 1024),
  speed: oneOf('speed', ['watch', 'fast']),
  seed: int('seed', 0, 0xffffffff),
  steps: int('steps', 1, 1e6),
  controls: (s) => s.split(/[\s,]+/).filter((k) => k && oneOf('controls', [...KNOBS, 'none'])(k) !== 'none'),
  theme: oneOf('theme', ['light', 'dark', 'auto']),
  corpus: oneOf('corpus', ['words', 'prose']),
  size: oneOf('size', ['tiny', 'small', 'medium']), // web/text/gpt.js's GPT_SIZES (checked by a test)
  tokenizer: oneOf('tokenizer', ['characters', 'bpe']),
};
export const ATTRIBUTES = [...Object.keys(PARSERS), 'autoplay', 'src', 'data', 'prefix', 'panels'];

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
  for (const k of ['src', 'data', 'panels']) config[k] = (get(k) || '').trim(); // panels: checked by widget/costs.js
  config.prefix = get('prefix') || '';
  const defaults = { digits: DIGITS, text: TEXT }[config.demo] ?? {};
  for (const k in defaults) if (get(k) === null) config[k] = defaults[k];
  if (get('lr') === null && config.optimizer !== 'adam' && config.optimizer !== 'adamw' && config.demo !== 'text') config.lr = 0.1; // sgd's usual
  return { config, problems };
}

/** The model spec for `features` inputs and `classes` classes (0: regression). */
export function buildSpec(c, features, classes) {
  if (!Array.isArray(c.layers)) bad('layers', 'hidden layers ("cnn" is for demo="digits")', c.layers);
  return mlpSpec({
    inputs: features, hidden: c.layers.map(([units, act]) => ({ units, act })), classes,
    loss: classes ? 'cross_entropy' : 'mse', optimizer: c.optimizer, lr: c.lr, seed: c.seed,
  });
}

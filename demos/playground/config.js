// The playground's whole configuration, its URL-hash form and the model spec built from it. No DOM here: a link
// such as #ds=spiral&layers=16:tanh,16:tanh&opt=adam&lr=0.03&seed=1 always rebuilds the same run.
import { DATASETS, outputUnits } from '../../web/datasets.js';
import { mlpSpec } from '../../web/models.js';
import { ACTIVATIONS as CORE_ACTIVATIONS } from '../../web/layer-types.js';
import { num, oneOf } from '../shared/fields.js';

// the core's element-wise activations (its table of layers), and 'linear' for none: the menu's entries
export const ACTIVATIONS = Object.freeze([...CORE_ACTIVATIONS, 'linear']);
export const OPTIMIZERS = Object.freeze(['sgd', 'momentum', 'adam', 'adamw']);
export const MAX_LAYERS = 6;
export const MAX_UNITS = 128;
export const MAX_STEPS = 1000000;

export const DEFAULTS = Object.freeze({
  dataset: 'spiral', arms: 2, noise: 0.05, n: 400, test: 0.5, dataSeed: 1,
  layers: Object.freeze([{ units: 16, act: 'relu' }, { units: 16, act: 'relu' }]),
  loss: 'cross_entropy', optimizer: 'adam', lr: 0.03, batchSize: 32, seed: 1,
  steps: 200000, // optimizer steps per press of Train: a run ends by itself
  speed: 'watch', // web/runtime/protocol.js PACE: slow enough to see the map and the loss change
});

// Losses that make sense for a dataset: regression needs mse; binary cross entropy needs exactly 2 classes.
export function lossesFor(dataset, arms = 2) {
  if (DATASETS[dataset].task === 'regression') return ['mse'];
  return classesOf(dataset, arms) === 2 ? ['cross_entropy', 'binary_cross_entropy', 'mse'] : ['cross_entropy', 'mse'];
}

export function classesOf(dataset, arms = 2) {
  return { spiral: arms, circles: 2, xor: 2, moons: 2, gaussians: 3, sine: 0 }[dataset];
}

export function cloneConfig(c) {
  return { ...c, layers: c.layers.map((l) => ({ ...l })) };
}

// Hash keys -> config fields, each with a parser that throws a message in the form's words (the field's label, the
// allowed range), as a reader who edited the link can act on it.
function layersOf(s) {
  if (s === '') return [];
  const parts = s.split(',');
  if (parts.length > MAX_LAYERS) throw new Error(`Network: at most ${MAX_LAYERS} hidden layers, got ${parts.length}`);
  return parts.map((p, i) => {
    const m = /^(\d+):([a-z_]+)$/.exec(p);
    if (!m) throw new Error(`Layer ${i + 1}: expected units:activation such as 16:tanh, got "${p}"`);
    const units = num(`Layer ${i + 1} units`, 1, MAX_UNITS, true)(m[1]);
    return { units, act: oneOf(`Layer ${i + 1} activation`, ACTIVATIONS)(m[2]) };
  });
}

const KEYS = {
  ds: ['dataset', oneOf('Dataset', Object.keys(DATASETS))], arms: ['arms', num('Spiral arms', 2, 3, true)],
  noise: ['noise', num('Noise', 0, 0.5, false)], n: ['n', num('Points', 20, 2000, true)],
  test: ['test', num('Share of points held out for testing', 0, 0.8, false)], dseed: ['dataSeed', num('Data seed', 0, 0xffffffff, true)],
  layers: ['layers', layersOf], loss: ['loss', oneOf('Loss', ['cross_entropy', 'binary_cross_entropy', 'mse'])],
  opt: ['optimizer', oneOf('Optimizer', OPTIMIZERS)], lr: ['lr', num('Learning rate', 1e-6, 10, false)],
  bs: ['batchSize', num('Batch size', 1, 1024, true)], seed: ['seed', num('Seed', 0, 0xffffffff, true)],
  steps: ['steps', num('Steps per run', 1, MAX_STEPS, true)], speed: ['speed', oneOf('Speed', ['watch', 'fast'])],
};

/**
 * Parses a location.hash. Returns {config, error}: a setting that cannot be read keeps its default (the others
 * stay as the link says) and error lists every such problem in plain words (null when there is none). A link
 * without a loss gets the dataset's first (a hand-written "#ds=sine" is a regression).
 */
export function parseHash(hash) {
  const text = (hash || '').replace(/^#/, '');
  const config = cloneConfig(DEFAULTS);
  const problems = [];
  const seen = new Set();
  for (const part of text ? text.split('&') : []) {
    try {
      const eq = part.indexOf('=');
      if (eq < 1) throw new Error(`"${part}" is not a setting=value pair`);
      let key, value;
      try {
        key = decodeURIComponent(part.slice(0, eq));
        value = decodeURIComponent(part.slice(eq + 1));
      } catch {
        throw new Error(`"${part}" is not readable`);
      }
      if (!Object.prototype.hasOwnProperty.call(KEYS, key)) throw new Error(`unknown setting "${key}"`);
      if (seen.has(key)) throw new Error(`"${key}" appears twice`);
      seen.add(key);
      const [field, parse] = KEYS[key];
      config[field] = parse(value);
    } catch (err) {
      problems.push(err.message);
    }
  }
  const losses = lossesFor(config.dataset, config.arms);
  if (!losses.includes(config.loss)) {
    if (seen.has('loss')) problems.push(`Loss: ${config.loss} does not fit the ${config.dataset} dataset; using ${losses[0]}`);
    config.loss = losses[0];
  }
  return { config, error: problems.length ? problems.join('; ') : null };
}

/** The hash for a config (without '#'); parseHash(toHash(c)) gives c back. */
export function toHash(c) {
  const parts = [
    ['ds', c.dataset], ...(c.dataset === 'spiral' ? [['arms', c.arms]] : []), ['noise', c.noise], ['n', c.n],
    ['test', c.test], ['dseed', c.dataSeed], ['layers', c.layers.map((l) => `${l.units}:${l.act}`).join(',')],
    ['loss', c.loss], ['opt', c.optimizer], ['lr', c.lr], ['bs', c.batchSize], ['seed', c.seed], ['steps', c.steps],
    ['speed', c.speed],
  ];
  return parts.map(([k, v]) => `${k}=${encodeURIComponent(String(v)).replace(/%3A/g, ':').replace(/%2C/g, ',')}`).join('&');
}

/** The model spec for a config: hidden layers, then a dense output sized for the dataset and loss. */
export function buildSpec(c) {
  return mlpSpec({
    inputs: DATASETS[c.dataset].inputSize, hidden: c.layers, classes: classesOf(c.dataset, c.arms), loss: c.loss,
    optimizer: c.optimizer, lr: c.lr, seed: c.seed,
  });
}

/** The Trainer's data argument: the dataset generated (seeded) inside the worker. */
export function dataOptions(c) {
  const o = { dataset: c.dataset, n: c.n, noise: c.noise, seed: c.dataSeed, testFraction: c.test };
  if (c.dataset === 'spiral') o.arms = c.arms;
  return o;
}

/**
 * The playground config that rebuilds a model spec (e.g. one read from a weight file), keeping the data settings
 * and batch size of `current`. The dataset stays if the model fits it; otherwise the first that fits (same
 * number of inputs and outputs for its loss). Returns {config, ignored}: ignored lists the spec's settings the
 * form cannot hold (they do not change the weights). Throws an Error saying what does not fit.
 */
export function configFromSpec(spec, current) {
  const inputs = spec.input.length === 1 ? spec.input[0] : NaN;
  const last = spec.layers.at(-1);
  const outputs = last?.type === 'dense' ? last.units : NaN;
  // Hidden layers: dense (units only), each followed by at most one activation ('linear' when none).
  const layers = [];
  spec.layers.slice(0, -1).forEach((l, i) => {
    const where = `layers[${i}] (${l.type})`;
    if (l.type === 'dense') {
      if (Object.keys(l).some((k) => k !== 'type' && k !== 'units')) throw new Error(`${where}: the editor has plain dense layers only`);
      if (!(l.units >= 1 && l.units <= MAX_UNITS)) throw new Error(`${where}: the editor allows 1 to ${MAX_UNITS} units, got ${l.units}`);
      layers.push({ units: l.units, act: 'linear' });
    } else if (ACTIVATIONS.includes(l.type) && layers.at(-1)?.act === 'linear') {
      const extra = Object.keys(l).filter((k) => k !== 'type');
      if (extra.length) throw new Error(`${where}: the editor has no setting for ${extra.join(', ')}`);
      layers.at(-1).act = l.type;
    } else {
      throw new Error(`${where}: the editor has dense layers each followed by one of ${ACTIVATIONS.slice(0, -1).join(', ')}`);
    }
  });
  if (layers.length > MAX_LAYERS) throw new Error(`${layers.length} hidden layers; the editor has at most ${MAX_LAYERS}`);
  const o = { type: 'adam', ...spec.optimizer }; // absent fields are the core's defaults (src/model/spec.c)
  const momentum = o.type === 'sgd' && o.momentum ? 'momentum' : o.type;
  const base = {
    ...cloneConfig(current), layers, loss: spec.loss, optimizer: momentum, lr: o.lr ?? (o.type === 'sgd' ? 0.01 : 0.001),
    seed: spec.seed ?? 1,
  };
  // The current dataset first, then every other (spiral with 2 or 3 arms).
  const candidates = [{ dataset: current.dataset, arms: current.arms }];
  for (const dataset of Object.keys(DATASETS)) {
    for (const arms of dataset === 'spiral' ? [2, 3] : [current.arms]) candidates.push({ dataset, arms });
  }
  const fits = candidates.find(({ dataset, arms }) => DATASETS[dataset].inputSize === inputs &&
    lossesFor(dataset, arms).includes(spec.loss) && outputUnits(classesOf(dataset, arms), spec.loss) === outputs);
  if (!fits) {
    throw new Error(`a model with ${spec.input.join('x')} input(s), ${Number.isFinite(outputs) ? outputs : 'no dense'} ` +
      `output(s) and ${spec.loss} loss fits none of the playground's datasets (2 inputs, or 1 for sine)`);
  }
  const next = { ...base, ...fits };
  // The same checks as a link: an lr or seed out of the form's range is refused the same way.
  const { config, error } = parseHash(toHash(next));
  if (error) throw new Error(error);
  // Safety net: the rebuilt spec must give the same layers, or the weights would not fit.
  const rebuilt = buildSpec(config);
  if (JSON.stringify(rebuilt.layers) !== JSON.stringify(spec.layers) || rebuilt.input[0] !== inputs) {
    throw new Error('the playground cannot rebuild these layers exactly');
  }
  const known = o.type === 'sgd' ? ['type', 'lr', 'momentum'] : ['type', 'lr'];
  const ignored = Object.keys(o).filter((k) => !known.includes(k)).map((k) => `optimizer.${k}`);
  if (o.type === 'sgd' && o.momentum && o.momentum !== 0.9) ignored.push(`optimizer.momentum ${o.momentum} (the form has 0.9)`);
  for (const k of Object.keys(spec)) if (!['input', 'layers', 'loss', 'optimizer', 'seed'].includes(k)) ignored.push(k);
  return { config, ignored };
}

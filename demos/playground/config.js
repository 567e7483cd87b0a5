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
// Runs compared with the page's model (demos/playground/compare.js): each trains in a worker of its own.
export const MAX_COMPARED = 3;
// The settings a compared run may have of its own; the data, the loss and the page's pace and step budget are shared.
export const RUN_FIELDS = Object.freeze(['layers', 'optimizer', 'lr', 'batchSize', 'seed']);

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

// The hash keys of RUN_FIELDS, for the compared runs' part of a link.
const RUN_KEYS = Object.fromEntries(Object.entries(KEYS).filter(([, [field]]) => RUN_FIELDS.includes(field)));

/**
 * Parses a location.hash. Returns {config, runs, error}: a setting that cannot be read keeps its default (the
 * others stay as the link says) and error lists every such problem in plain words (null when there is none). A
 * link without a loss gets the dataset's first (a hand-written "#ds=sine" is a regression). runs: the compared
 * runs' settings (RUN_FIELDS), from the `vs` key (see toHash).
 */
export function parseHash(hash) {
  const text = (hash || '').replace(/^#/, '');
  const config = cloneConfig(DEFAULTS);
  const problems = [];
  const seen = new Set();
  let compared = null;
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
      if (key !== 'vs' && !Object.prototype.hasOwnProperty.call(KEYS, key)) throw new Error(`unknown setting "${key}"`);
      if (seen.has(key)) throw new Error(`"${key}" appears twice`);
      seen.add(key);
      if (key === 'vs') {
        compared = value; // read once the page's model is known: a run lists only how it differs
        continue;
      }
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
  const runs = compared === null ? [] : parseRuns(compared, config, problems);
  return { config, runs, error: problems.length ? problems.join('; ') : null };
}

// `vs`: the compared runs separated by "|", each its differences from the page's model as key=value pairs
// separated by ";" (the link's own keys), or "same". A run with an unreadable setting is left out.
function parseRuns(text, config, problems) {
  const runs = [];
  const parts = text.split('|');
  if (parts.length > MAX_COMPARED) {
    problems.push(`Compared runs: at most ${MAX_COMPARED} besides the page's model, got ${parts.length}; the first ${MAX_COMPARED} are kept`);
  }
  parts.slice(0, MAX_COMPARED).forEach((part, i) => {
    const run = runSettings(config);
    try {
      const seen = new Set();
      for (const pair of part === 'same' ? [] : part.split(';')) {
        const eq = pair.indexOf('=');
        const key = pair.slice(0, eq);
        if (eq < 1) throw new Error(`"${pair}" is not a setting=value pair`);
        if (!Object.prototype.hasOwnProperty.call(RUN_KEYS, key)) {
          throw new Error(`"${key}" cannot differ between compared runs (they share the data and the loss)`);
        }
        if (seen.has(key)) throw new Error(`"${key}" appears twice`);
        seen.add(key);
        const [field, parse] = RUN_KEYS[key];
        run[field] = parse(pair.slice(eq + 1));
      }
      runs.push(run);
    } catch (err) {
      problems.push(`Compared run ${i + 1} is left out: ${err.message}`);
    }
  });
  return runs;
}

/** A copy of the RUN_FIELDS of a config: what a compared run may have of its own. */
export function runSettings(c) {
  const run = {};
  for (const field of RUN_FIELDS) run[field] = field === 'layers' ? c.layers.map((l) => ({ ...l })) : c[field];
  return run;
}

/** The full config of a compared run: the page's config with the run's own settings. */
export function runConfig(c, run) {
  return { ...cloneConfig(c), ...runSettings(run) };
}

/** Whether two configs build the same model and train it the same way (the shared settings aside). */
export function sameRun(a, b) {
  return JSON.stringify(runSettings(a)) === JSON.stringify(runSettings(b));
}

// A hash value with the separators a link keeps readable left as they are.
const encodeValue = (v) => encodeURIComponent(String(v)).replace(/%3A/g, ':').replace(/%2C/g, ',');

/**
 * The hash for a config (without '#'); parseHash(toHash(c, runs)) gives c and runs back. runs: the compared runs'
 * settings (runSettings), written as their differences from c.
 */
export function toHash(c, runs = []) {
  const parts = [
    ['ds', c.dataset], ...(c.dataset === 'spiral' ? [['arms', c.arms]] : []), ['noise', c.noise], ['n', c.n],
    ['test', c.test], ['dseed', c.dataSeed], ['layers', c.layers.map((l) => `${l.units}:${l.act}`).join(',')],
    ['loss', c.loss], ['opt', c.optimizer], ['lr', c.lr], ['bs', c.batchSize], ['seed', c.seed], ['steps', c.steps],
    ['speed', c.speed],
  ];
  const own = { ...c, layers: (l) => l.map((x) => `${x.units}:${x.act}`).join(',') };
  const hash = parts.map(([k, v]) => `${k}=${encodeValue(v)}`).join('&');
  if (!runs.length) return hash;
  const page = runSettings(c);
  const differences = runs.map((run) => {
    const pairs = Object.entries(RUN_KEYS).filter(([, [field]]) => JSON.stringify(run[field]) !== JSON.stringify(page[field]))
      .map(([key, [field]]) => `${key}=${encodeValue(field === 'layers' ? own.layers(run.layers) : run[field])}`);
    return pairs.length ? pairs.join(';') : 'same';
  });
  return `${hash}&vs=${differences.join('|')}`;
}

// How the menus name an optimizer.
const OPTIMIZER_NAMES = { sgd: 'sgd', momentum: 'sgd + momentum', adam: 'adam', adamw: 'adamw' };

/**
 * A compared run's name in plain words: how its settings differ from the page's config c ("seed 2, learning rate
 * 0.1"), or "same settings".
 */
export function describeRun(run, c) {
  const words = [];
  const same = (field) => JSON.stringify(run[field]) === JSON.stringify(c[field]);
  if (!same('layers')) {
    const units = new Set(run.layers.map((l) => l.units)), acts = new Set(run.layers.map((l) => l.act));
    const actName = (a) => (a === 'linear' ? 'no activation' : a);
    if (run.layers.length !== c.layers.length || (units.size > 1 && acts.size > 1)) {
      const n = run.layers.length, [first] = run.layers;
      if (!n) words.push('no hidden layers');
      else if (units.size === 1 && acts.size === 1) words.push(`${n} layer${n > 1 ? 's' : ''} of ${first.units} ${actName(first.act)}`);
      else words.push(`layers ${run.layers.map((l) => `${l.units} ${actName(l.act)}`).join(', ')}`);
    } else {
      if (JSON.stringify(run.layers.map((l) => l.units)) !== JSON.stringify(c.layers.map((l) => l.units))) {
        words.push(units.size === 1 ? `${[...units][0]} units` : `units ${run.layers.map((l) => l.units).join(', ')}`);
      }
      if (JSON.stringify(run.layers.map((l) => l.act)) !== JSON.stringify(c.layers.map((l) => l.act))) {
        words.push(acts.size === 1 ? actName([...acts][0]) : run.layers.map((l) => actName(l.act)).join(', '));
      }
    }
  }
  if (!same('optimizer')) words.push(OPTIMIZER_NAMES[run.optimizer]);
  if (!same('lr')) words.push(`learning rate ${run.lr}`);
  if (!same('batchSize')) words.push(`batch ${run.batchSize}`);
  if (!same('seed')) words.push(`seed ${run.seed}`);
  return words.length ? words.join(', ') : 'same settings';
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

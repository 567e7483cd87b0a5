// demos/playground/config.js: the URL hash <-> configuration <-> model spec, and the messages of a bad link.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULTS, parseHash, toHash, buildSpec, dataOptions, lossesFor, runSettings, runConfig, describeRun,
} from '../../demos/playground/config.js';

test('toHash and parseHash round-trip every field', () => {
  const c = { dataset: 'spiral', arms: 3, noise: 0.15, n: 700, test: 0.25, dataSeed: 42,
    layers: [{ units: 32, act: 'gelu' }, { units: 5, act: 'linear' }], loss: 'mse', optimizer: 'adamw', lr: 0.0007,
    batchSize: 64, seed: 4000000000, steps: 2500, speed: 'fast' };
  const h = toHash(c);
  assert.match(h, /layers=32:gelu,5:linear/);
  const back = parseHash(`#${h}`);
  assert.equal(back.error, null);
  assert.deepEqual(back.config, c);
  assert.deepEqual(parseHash('').config, { ...DEFAULTS, layers: DEFAULTS.layers.map((l) => ({ ...l })) });
});

test('a bad setting in a link is named in the form\'s words and only that setting falls back to its default', () => {
  const cases = [
    ['#lr=fast', /^Learning rate: expected a number from 0\.000001 to 10, got "fast"$/, 'lr'],
    ['#ds=spirals', /^Dataset: expected one of spiral, circles/, 'dataset'],
    ['#layers=16:swish', /^Layer 1 activation: expected one of relu, .*, linear, got "swish"$/, 'layers'],
    ['#layers=16', /^Layer 1: expected units:activation such as 16:tanh, got "16"$/, 'layers'],
    ['#layers=999:relu', /^Layer 1 units: expected a whole number from 1 to 128, got "999"$/, 'layers'],
    // the real limit, not "the format is wrong"
    ['#layers=2000:relu', /^Layer 1 units: expected a whole number from 1 to 128, got "2000"$/, 'layers'],
    ['#layers=1:relu,1:relu,1:relu,1:relu,1:relu,1:relu,1:relu', /at most 6 hidden layers, got 7/, 'layers'],
    ['#seed=1&seed=2', /"seed" appears twice/, null],
    ['#colour=red', /^unknown setting "colour"$/, null],
    ['#ds=sine&loss=cross_entropy', /^Loss: cross_entropy does not fit the sine dataset; using mse$/, 'loss'],
    ['#ds=gaussians&loss=binary_cross_entropy', /does not fit the gaussians dataset/, 'loss'],
    ['#bs=0', /^Batch size: expected a whole number from 1 to 1024, got "0"$/, 'batchSize'],
    ['#steps=0', /^Steps per run: expected a whole number from 1 to/, 'steps'],
    ['#speed=slow', /^Speed: expected one of watch, fast, got "slow"$/, 'speed'],
    ['#n=%ZZ', /^"n=%ZZ" is not readable$/, 'n'],
  ];
  for (const [hash, re, field] of cases) {
    const r = parseHash(`${hash}&noise=0.2`);
    assert.match(r.error || '', re, hash);
    assert.doesNotMatch(r.error, /\b(ds|bs|lr|dseed|layers\[\d\])\b/, `${hash}: a developer's name in the message`);
    if (field) assert.deepEqual(r.config[field], field === 'loss' ? lossesFor(r.config.dataset)[0] : DEFAULTS[field], `${hash}: ${field} kept its default`);
    assert.equal(r.config.noise, 0.2, `${hash}: the link's other settings are kept`);
  }
});

test('a hand-written link without a loss gets the dataset\'s own: #ds=sine is a regression', () => {
  for (const [ds, loss] of [['sine', 'mse'], ['gaussians', 'cross_entropy'], ['moons', 'cross_entropy']]) {
    const r = parseHash(`#ds=${ds}`);
    assert.equal(r.error, null, r.error);
    assert.equal(r.config.dataset, ds);
    assert.equal(r.config.loss, loss);
  }
});

test('buildSpec sizes the output for the dataset and loss, and maps the optimizer choices', () => {
  const base = { ...DEFAULTS, layers: [{ units: 8, act: 'tanh' }, { units: 4, act: 'linear' }] };
  const spec = buildSpec(base);
  assert.deepEqual(spec.layers, [{ type: 'dense', units: 8 }, { type: 'tanh' }, { type: 'dense', units: 4 }, { type: 'dense', units: 2 }]);
  assert.deepEqual(spec.input, [2]);
  assert.equal(buildSpec({ ...base, loss: 'binary_cross_entropy' }).layers.at(-1).units, 1);
  assert.equal(buildSpec({ ...base, arms: 3 }).layers.at(-1).units, 3);
  assert.deepEqual(buildSpec({ ...base, dataset: 'sine', loss: 'mse' }).input, [1]);
  assert.deepEqual(buildSpec({ ...base, optimizer: 'momentum', lr: 0.1 }).optimizer, { type: 'sgd', lr: 0.1, momentum: 0.9 });
  assert.deepEqual(dataOptions({ ...base, dataset: 'moons' }), { dataset: 'moons', n: 400, noise: 0.05, seed: 1, testFraction: 0.5 });
  assert.deepEqual(lossesFor('gaussians'), ['cross_entropy', 'mse']);
});

test('compared runs: the link lists how each differs from the page\'s model, and reads back the same runs', () => {
  const { config } = parseHash('#seed=4');
  const seed = { ...runSettings(config), seed: 7 };
  const tanh = { ...runSettings(config), lr: 0.1, layers: [{ units: 8, act: 'tanh' }, { units: 8, act: 'tanh' }] };
  const same = runSettings(config);
  const h = toHash(config, [seed, tanh, same]);
  assert.match(h, /&vs=seed=7\|layers=8:tanh,8:tanh;lr=0\.1\|same$/);
  const back = parseHash(`#${h}`);
  assert.equal(back.error, null);
  assert.deepEqual(back.config, config);
  assert.deepEqual(back.runs, [seed, tanh, same]);
  assert.equal(toHash(config, []), toHash(config), 'no runs, no vs');
  assert.deepEqual(parseHash(`#${toHash(config)}`).runs, []);
  // a run's full config: the page's data and budget, its own model
  assert.deepEqual(runConfig({ ...config, dataset: 'moons' }, tanh), { ...config, dataset: 'moons', lr: 0.1, layers: tanh.layers });
});

test('compared runs are named in plain words by what differs', () => {
  const { config } = parseHash('#layers=16:relu,16:relu&lr=0.03&seed=1');
  const name = (change) => describeRun({ ...runSettings(config), ...change }, config);
  assert.equal(name({ seed: 2 }), 'seed 2');
  assert.equal(name({ lr: 0.1, batchSize: 64 }), 'learning rate 0.1, batch 64');
  assert.equal(name({ layers: [{ units: 8, act: 'relu' }, { units: 8, act: 'relu' }] }), '8 units');
  assert.equal(name({ layers: [{ units: 16, act: 'tanh' }, { units: 16, act: 'linear' }] }), 'tanh, no activation');
  assert.equal(name({ layers: [{ units: 4, act: 'gelu' }] }), '1 layer of 4 gelu');
  assert.equal(name({ layers: [{ units: 32, act: 'tanh' }, { units: 32, act: 'tanh' }, { units: 32, act: 'tanh' }] }), '3 layers of 32 tanh');
  assert.equal(name({ layers: [{ units: 4, act: 'gelu' }, { units: 8, act: 'relu' }, { units: 8, act: 'relu' }] }),
    'layers 4 gelu, 8 relu, 8 relu');
  assert.equal(name({ layers: [] }), 'no hidden layers');
  assert.equal(name({ optimizer: 'momentum' }), 'sgd + momentum');
  assert.equal(name({}), 'same settings');
});

test('a bad compared run in a link is left out with a message; the others and the page\'s model stay', () => {
  const r = parseHash('#lr=0.01&vs=seed=2|ds=moons|lr=fast|seed=3|seed=4');
  assert.equal(r.config.lr, 0.01);
  assert.deepEqual(r.runs.map((x) => x.seed), [2]);
  assert.match(r.error, /^Compared runs: at most 3 besides the page's model, got 5; the first 3 are kept; /);
  assert.match(r.error, /Compared run 2 is left out: "ds" cannot differ between compared runs \(they share the data and the loss\)/);
  assert.match(r.error, /Compared run 3 is left out: Learning rate: expected a number from 0\.000001 to 10, got "fast"/);
  assert.match(parseHash('#vs=seed=2;seed=3').error, /Compared run 1 is left out: "seed" appears twice/);
  assert.match(parseHash('#vs=seed').error, /Compared run 1 is left out: "seed" is not a setting=value pair/);
});

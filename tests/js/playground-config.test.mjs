// demos/playground/config.js: the URL hash <-> configuration <-> model spec, and the messages of a bad link.
import test from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, parseHash, toHash, buildSpec, dataOptions, lossesFor } from '../../demos/playground/config.js';

test('toHash and parseHash round-trip every field', () => {
  const c = { dataset: 'spiral', arms: 3, noise: 0.15, n: 700, test: 0.25, dataSeed: 42,
    layers: [{ units: 32, act: 'gelu' }, { units: 5, act: 'linear' }], loss: 'mse', optimizer: 'adamw', lr: 0.0007,
    batchSize: 64, seed: 4000000000 };
  const h = toHash(c);
  assert.match(h, /layers=32:gelu,5:linear/);
  const back = parseHash(`#${h}`);
  assert.equal(back.error, null);
  assert.deepEqual(back.config, c);
  assert.deepEqual(parseHash('').config, { ...DEFAULTS, layers: DEFAULTS.layers.map((l) => ({ ...l })) });
});

test('a bad link names the key and falls back to the defaults', () => {
  const cases = [
    ['#lr=fast', /^lr: expected a number in \[0\.000001, 10\], got "fast"$/],
    ['#ds=spirals', /^ds: expected one of spiral, circles/],
    ['#layers=16:swish', /^layers\[0\]\.activation: expected one of relu, .*, linear, got "swish"$/],
    ['#layers=16', /^layers\[0\]: expected units:activation/],
    ['#layers=999:relu', /^layers\[0\]\.units: expected an integer in \[1, 128\], got "999"$/],
    ['#layers=1:relu,1:relu,1:relu,1:relu,1:relu,1:relu,1:relu', /at most 6 hidden layers, got 7/],
    ['#seed=1&seed=2', /key "seed" appears twice/],
    ['#colour=red', /unknown key "colour"/],
    ['#ds=sine&loss=cross_entropy', /loss: cross_entropy does not fit the sine dataset/],
    ['#ds=gaussians&loss=binary_cross_entropy', /does not fit the gaussians dataset/],
    ['#bs=0', /^bs: expected an integer in \[1, 1024\], got "0"$/],
    ['#n=%ZZ', /./],
  ];
  for (const [hash, re] of cases) {
    const r = parseHash(hash);
    assert.match(r.error || '', re, hash);
    assert.equal(r.config.lr, DEFAULTS.lr, `${hash}: not the defaults`);
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

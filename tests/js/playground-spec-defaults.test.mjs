// demos/playground/config.js configFromSpec on specs that leave the optimizer to the core's defaults (found in
// review): a weight file whose spec has no "optimizer", or one without "type"/"lr", is a valid tinytrain model
// (adam, lr 0.001; sgd's lr 0.01) and must load into the playground with those settings.
import test from 'node:test';
import assert from 'node:assert/strict';
import { configFromSpec, buildSpec, DEFAULTS, cloneConfig } from '../../demos/playground/config.js';

const LAYERS = [{ type: 'dense', units: 16 }, { type: 'tanh' }, { type: 'dense', units: 2 }];
const base = { input: [2], layers: LAYERS, loss: 'cross_entropy', seed: 3 };

test('a spec without an optimizer loads as adam with lr 0.001, the core defaults', () => {
  const { config } = configFromSpec(base, cloneConfig(DEFAULTS));
  assert.equal(config.optimizer, 'adam');
  assert.equal(config.lr, 0.001);
  assert.deepEqual(buildSpec(config).optimizer, { type: 'adam', lr: 0.001 });
});

test('an optimizer without a type is adam; sgd without an lr gets sgd\'s default 0.01', () => {
  assert.equal(configFromSpec({ ...base, optimizer: { lr: 0.02 } }, cloneConfig(DEFAULTS)).config.optimizer, 'adam');
  const sgd = configFromSpec({ ...base, optimizer: { type: 'sgd' } }, cloneConfig(DEFAULTS)).config;
  assert.equal(sgd.optimizer, 'sgd');
  assert.equal(sgd.lr, 0.01);
});

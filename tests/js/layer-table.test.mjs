// The table of layers (src/layers/layer_table.h) as the JS side sees it: Model.layerTypes() is the table, line for
// line; the playground's menu and the widget's `layers` parser offer exactly its activations; and every activation
// builds, trains and saves/loads a model.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Model } from '../../wasm/tinytrain.js';
import { ACTIVATIONS, parseHash } from '../../demos/playground/config.js';
import { readConfig } from '../../web/widget/config.js';
import { LAYER_TYPES, ACTIVATIONS as GENERATED_ACTIVATIONS } from '../../web/layer-types.js';
import { layerTypesModule } from '../../tools/layer-types.mjs';
import { layerTable } from './layer-table.mjs';

const table = layerTable();
const activations = table.filter((row) => row.traits.includes('ACTIVATION')).map((row) => row.name);

test('Model.layerTypes() is the table: names, order and traits', async () => {
  assert.ok(table.length >= 14);
  assert.deepEqual(await Model.layerTypes(), table.map(({ name, traits }) => ({ name, traits: [...traits].sort(byBit) })));
});

test('web/layer-types.js (the layer list known without the wasm) is current and is the table', async () => {
  const text = readFileSync(new URL('../../src/layers/layer_table.h', import.meta.url), 'utf8');
  assert.equal(readFileSync(new URL('../../web/layer-types.js', import.meta.url), 'utf8'), layerTypesModule(text),
    'web/layer-types.js is out of date: run node tools/layer-types.mjs (make does)');
  assert.deepEqual(LAYER_TYPES, await Model.layerTypes());
  assert.deepEqual(GENERATED_ACTIVATIONS, activations);
});

// the loader lists traits in bit order
const BIT_ORDER = ['PARAMS', 'HE_INIT', 'FUSES_NEXT', 'ACTIVATION'];
function byBit(a, b) { return BIT_ORDER.indexOf(a) - BIT_ORDER.indexOf(b); }

test('the playground menu and the widget parser offer every activation of the table, and linear', () => {
  assert.deepEqual(ACTIVATIONS, [...activations, 'linear']);
  for (const act of [...activations, 'linear']) {
    assert.equal(parseHash(`#layers=8:${act}`).config.layers[0].act, act);
    const { config, problems } = readConfig((name) => (name === 'layers' ? `8 ${act}` : null));
    assert.deepEqual(problems, []);
    assert.deepEqual(config.layers, [[8, act]]);
  }
  const { problems } = readConfig((name) => (name === 'layers' ? '8 swish' : null));
  assert.match(problems[0], new RegExp(`an activation among ${[...activations, 'linear'].join(', ')}`));
});

test('every activation of the table trains a small MLP and survives save/load', async () => {
  const x = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
  const y = new Int32Array([0, 1, 1, 0]);
  for (const type of activations) {
    const m = await Model.create({
      input: [2], layers: [{ type: 'dense', units: 8 }, { type }, { type: 'dense', units: 2 }],
      loss: 'cross_entropy', optimizer: { type: 'adam', lr: 0.05 }, seed: 3,
    });
    const first = m.trainBatch(x, y);
    for (let i = 0; i < 200; i++) m.trainBatch(x, y);
    const last = m.trainBatch(x, y);
    assert.ok(last < first, `${type}: loss ${first} -> ${last}`);
    const again = await Model.load(m.save());
    assert.deepEqual(again.predict(x), m.predict(x), type);
    m.dispose();
    again.dispose();
  }
});

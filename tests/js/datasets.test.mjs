// web/datasets.js: seeded generators are deterministic, shaped as documented, balanced, split as asked, and
// reject bad options with a message that names the option.
import test from 'node:test';
import assert from 'node:assert/strict';
import { makeDataset, DATASET_NAMES, mulberry32, toTargets, outputUnits } from '../../web/datasets.js';

test('every dataset has the documented shapes, label ranges and finite values', () => {
  for (const name of DATASET_NAMES) {
    const d = makeDataset(name, { n: 101, seed: 3, testFraction: 0.3 });
    assert.equal(d.nTest, Math.round(101 * 0.3), `${name}: nTest`);
    assert.equal(d.nTrain + d.nTest, 101, `${name}: nTrain + nTest`);
    assert.equal(d.x.length, d.nTrain * d.inputSize, `${name}: x length`);
    assert.equal(d.testX.length, d.nTest * d.inputSize, `${name}: testX length`);
    assert.equal(d.y.length, d.nTrain, `${name}: y length`);
    for (const v of [...d.x, ...d.testX, ...d.y]) assert.ok(Number.isFinite(v), `${name}: non-finite value ${v}`);
    if (d.classes > 0) {
      assert.ok(d.y instanceof Int32Array, `${name}: labels are Int32Array`);
      for (const c of [...d.y, ...d.testY]) assert.ok(c >= 0 && c < d.classes, `${name}: label ${c} out of range`);
    } else {
      assert.ok(d.y instanceof Float32Array, `${name}: regression targets are Float32Array`);
    }
  }
});

test('same seed gives identical points, another seed different ones', () => {
  const a = makeDataset('spiral', { seed: 7 });
  const b = makeDataset('spiral', { seed: 7 });
  const c = makeDataset('spiral', { seed: 8 });
  assert.deepEqual(a.x, b.x);
  assert.deepEqual(a.y, b.y);
  const same = a.x.every((v, i) => v === c.x[i]);
  assert.ok(!same, 'seed 8 produced the same points as seed 7');
});

test('classes are balanced within one point and both splits contain every class', () => {
  for (const [name, opts] of [['spiral', { arms: 3 }], ['circles', {}], ['xor', {}], ['moons', {}], ['gaussians', {}]]) {
    const d = makeDataset(name, { n: 300, seed: 1, ...opts });
    const counts = new Array(d.classes).fill(0);
    for (const c of [...d.y, ...d.testY]) counts[c]++;
    const spread = Math.max(...counts) - Math.min(...counts);
    assert.ok(spread <= 1, `${name}: class counts ${counts} differ by ${spread}`);
    for (let k = 0; k < d.classes; k++) {
      assert.ok(d.y.includes(k) && d.testY.includes(k), `${name}: class ${k} missing from a split`);
    }
  }
});

test('noise 0 datasets are cleanly generated: xor labels follow the quadrant signs', () => {
  const d = makeDataset('xor', { n: 200, noise: 0, seed: 2, testFraction: 0 });
  for (let i = 0; i < d.nTrain; i++) {
    const want = d.x[2 * i] * d.x[2 * i + 1] > 0 ? 1 : 0;
    assert.equal(d.y[i], want, `point ${i} (${d.x[2 * i]}, ${d.x[2 * i + 1]}) has label ${d.y[i]}, expected ${want}`);
  }
});

test('points stay inside the advertised domain (noise 0.05)', () => {
  for (const name of DATASET_NAMES) {
    const d = makeDataset(name, { seed: 4 });
    const [lo, hi] = d.domain;
    const out = [...d.x, ...d.testX].filter((v) => v < lo || v > hi);
    assert.ok(out.length <= 2, `${name}: ${out.length} coordinates outside [${lo}, ${hi}], e.g. ${out[0]}`);
  }
});

test('bad options are rejected with a message naming the option', () => {
  assert.throws(() => makeDataset('spirals'), /unknown name "spirals"; expected one of spiral/);
  assert.throws(() => makeDataset('spiral', { n: 5 }), /dataset n: expected an integer in \[20, 20000\], got 5/);
  assert.throws(() => makeDataset('spiral', { noise: -1 }), /dataset noise: expected a number/);
  assert.throws(() => makeDataset('spiral', { arms: 4 }), /dataset arms: expected an integer in \[2, 3\], got 4/);
  assert.throws(() => makeDataset('moons', { testFraction: 0.95 }), /testFraction/);
  assert.throws(() => makeDataset('moons', { seed: 1.5 }), /dataset seed/);
});

test('mulberry32 is uniform enough: mean ~0.5 and values in [0, 1)', () => {
  const r = mulberry32(123);
  let sum = 0;
  for (let i = 0; i < 10000; i++) {
    const v = r();
    assert.ok(v >= 0 && v < 1, `value ${v} out of [0, 1)`);
    sum += v;
  }
  assert.ok(Math.abs(sum / 10000 - 0.5) < 0.02, `mean ${sum / 10000}`);
});

test('toTargets gives what each loss expects', () => {
  const y = Int32Array.from([0, 2, 1]);
  assert.equal(toTargets(y, 3, 'cross_entropy'), y);
  assert.deepEqual([...toTargets(y, 3, 'mse')], [1, 0, 0, 0, 0, 1, 0, 1, 0]);
  assert.deepEqual([...toTargets(Int32Array.from([1, 0]), 2, 'binary_cross_entropy')], [1, 0]);
  assert.throws(() => toTargets(y, 3, 'binary_cross_entropy'), /needs 2 classes, this dataset has 3/);
  assert.equal(outputUnits(3, 'cross_entropy'), 3);
  assert.equal(outputUnits(2, 'binary_cross_entropy'), 1);
  assert.equal(outputUnits(0, 'mse'), 1);
});

// The cost panel's arithmetic (web/costs.js): break-even by compute and by time, the day it happens and a day's
// CPU-seconds, the 6·N·D / 2·N estimates, energy, the reader's typed amounts and the words for numbers.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  breakEven, scaleUp, ruleOfThumb, wattHours, parseAmount, formatFlops, formatCount, formatDuration, formatDays,
  formatWattHours, DEFAULT_SCALE,
} from '../../web/costs.js';
import { Model } from '../../wasm/tinytrain.js';
import { DIGITS_MLP } from '../../web/digits-models.js';

test('break-even: predictions x FLOPs per prediction = training FLOPs; the day and the CPU-seconds per day', () => {
  const r = breakEven({ trainingFlops: 6e12, flopsPerPrediction: 2e5, perDay: 1e6, secondsPerPrediction: 5e-6,
    trainingCpuSeconds: 30 });
  assert.equal(r.predictions, 3e7);
  assert.equal(r.predictions * 2e5, 6e12);
  assert.equal(r.days, 30);
  assert.equal(r.day, 30, 'the 30 millionth prediction is served on day 30');
  assert.equal(r.cpuSecondsPerDay, 5);
  assert.equal(r.flopsPerDay, 2e11);
  assert.ok(Math.abs(r.predictionsByTime - 6e6) < 1e-3, '30 CPU-seconds of training buy 6 million predictions of 5 µs');
  // Less than a day's worth: day 1.
  assert.equal(breakEven({ trainingFlops: 1e9, flopsPerPrediction: 1e3, perDay: 1e7 }).day, 1);
  assert.equal(breakEven({ trainingFlops: 1e9, flopsPerPrediction: 1e3, perDay: 999999 }).day, 2);
});

test('break-even with unknown inputs says nothing rather than a made-up number', () => {
  const none = breakEven({ trainingFlops: 0, flopsPerPrediction: 2e5, perDay: 1e6 });
  assert.ok(Number.isNaN(none.predictions) && Number.isNaN(none.day), 'no training yet');
  const noDay = breakEven({ trainingFlops: 1e9, flopsPerPrediction: 2e5 });
  assert.equal(noDay.predictions, 5000);
  assert.ok(Number.isNaN(noDay.day) && Number.isNaN(noDay.cpuSecondsPerDay));
  assert.ok(Number.isNaN(breakEven({ trainingFlops: 1e9, flopsPerPrediction: NaN }).predictions));
});

test('scale it up: training 6·N·D, inference 2·N per token; break-even after 3·D/L answers', () => {
  const r = scaleUp({ params: 7e9, tokens: 2e12, answerTokens: 500, queriesPerDay: 1e7 });
  assert.equal(r.trainingFlops, 6 * 7e9 * 2e12);
  assert.equal(r.flopsPerToken, 1.4e10);
  assert.equal(r.flopsPerAnswer, 7e12);
  assert.equal(r.flopsPerDay, 7e19);
  assert.ok(Math.abs(r.breakEvenAnswers - (3 * 2e12) / 500) < 1, `${r.breakEvenAnswers}`);
  assert.ok(Math.abs(r.breakEvenDays - 1200) < 1e-6);
  assert.deepEqual(Object.keys(DEFAULT_SCALE).sort(), ['answerTokens', 'params', 'queriesPerDay', 'tokens']);
});

test('the rule of thumb is close to the core\'s own count for an MLP (its FLOPs are its matrix products)', async () => {
  const m = await Model.create(DIGITS_MLP);
  const thumb = ruleOfThumb(m.paramCount, 1);
  const { forward, train } = m.flops;
  console.log(`MLP: ${m.paramCount} parameters; forward ${forward} vs 2N ${thumb.flopsPerPrediction}; train ${train} vs 6N ${thumb.trainingFlops}`);
  assert.ok(Math.abs(forward / thumb.flopsPerPrediction - 1) < 0.05);
  assert.ok(Math.abs(train / thumb.trainingFlops - 1) < 0.1);
  m.dispose();
});

test('energy from CPU time', () => {
  assert.equal(wattHours(15, 3600), 15);
  assert.equal(wattHours(10, 36), 0.1);
  assert.ok(Number.isNaN(wattHours(0, 10)) && Number.isNaN(wattHours(10, -1)));
});

test('amounts typed by the reader: digits, exponents, suffixes, words; bad ones name the field', () => {
  assert.equal(parseAmount('N', '7e9'), 7e9);
  assert.equal(parseAmount('N', '7,000,000,000'), 7e9);
  assert.equal(parseAmount('N', '7B'), 7e9);
  assert.equal(parseAmount('N', '7 billion'), 7e9);
  assert.equal(parseAmount('D', '2T'), 2e12);
  assert.equal(parseAmount('D', '1.5M'), 1.5e6);
  assert.equal(parseAmount('L', ' 500 '), 500);
  assert.throws(() => parseAmount('Parameters', 'lots'), /^Error: Parameters: expected a number from 0 to .* got "lots"$/);
  assert.throws(() => parseAmount('Answer length', '2.5', { min: 1, whole: true }), /Answer length: expected a whole number from 1/);
  assert.throws(() => parseAmount('N', '-3'), /expected a number/);
  assert.throws(() => parseAmount('N', '1e40'), /expected a number/);
});

test('numbers in words, each with its unit, never 0 for something that is not', () => {
  assert.equal(formatFlops(203530), '204 kFLOP');
  assert.equal(formatFlops(8.4e22), '84.0 ZFLOP');
  assert.equal(formatFlops(12), '12 FLOP');
  assert.equal(formatFlops(NaN), '–');
  assert.equal(formatCount(45300), '45,300');
  assert.equal(formatCount(2.4e6), '2.40 million');
  assert.equal(formatCount(0.2), '< 1');
  assert.equal(formatCount(3e15), '3.0e+15');
  assert.equal(formatDuration(8.5e-4), '850 µs');
  assert.equal(formatDuration(4.2), '4.2 s');
  assert.equal(formatDuration(7200), '2.0 h');
  assert.equal(formatDays(12.4), '12 days');
  assert.equal(formatDays(730.5), '2 years');
  assert.equal(formatWattHours(0.00042), '0.42 mWh');
  assert.equal(formatWattHours(3.1), '3.1 Wh');
  assert.equal(formatWattHours(2e3), '2.0 kWh');
});

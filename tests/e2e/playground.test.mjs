// The playground in headless Chromium over http: training converges in the worker while the page stays fluid,
// the controls do what they say, the predictor answers on hover, a link reproduces a run, and failures
// (divergence, an invalid link, a crashed worker) are shown and survived. One browser for the whole file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, screenshot, waitForValue, watchLongTasks, checkLongTasks } from './helpers.mjs';
import { layerTable } from '../js/layer-table.mjs';
import { USE_TEST_WORKER } from './worker-hooks.mjs';


let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { if (env) await env.close(); });


// These tests train at full speed unless the link says otherwise (the page's default is to watch it learn).
const fast = (hash) => (/speed=/.test(hash) ? hash : `${hash || '#'}${hash ? '&' : ''}speed=fast`);

// testWorker: the page's Trainer gets tests/e2e/hooked-worker.mjs, which also takes the test-only `crash` request.
async function openPlayground(hash = '', { testWorker = false } = {}) {
  const { page, context, errors } = await openPage(env.browser);
  if (testWorker) await page.addInitScript(USE_TEST_WORKER);
  await page.goto(`${env.origin}/demos/playground/${fast(hash)}`);
  await waitForValue(page, () => document.getElementById('status').textContent === 'ready', null,
    { what: 'status "ready"' });
  await waitForValue(page, () => window.playground.stats.paints > 0, null, { what: 'the first map paint' });
  return { page, context, errors };
}

const stat = (page, id) => page.evaluate((i) => Number(document.getElementById(i).dataset.value), id);
// A cheap fingerprint of the map's pixels (toDataURL would PNG-encode on the main thread: a long task itself).
const mapHash = (page) => page.evaluate(() => {
  const c = document.getElementById('map');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let h = 2166136261;
  for (let i = 0; i < d.length; i += 4) h = Math.imul(h ^ (d[i] | (d[i + 1] << 8) | (d[i + 2] << 16)), 16777619);
  return h >>> 0;
});
const weights = (page) => page.evaluate(() => Array.from(window.playground.trainer.predictor.getWeights()));
const maxAbsDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

function checkNoErrors(errors) {
  assert.deepEqual(errors, [], `errors on the page:\n${errors.join('\n')}`);
}


let shared; // the page of the first test, reused by the control tests (it has a trained model)
let firstLosses;

test('Train: spiral test accuracy reaches 95% within 15 s, loss falls 4x, the map changes, no long tasks', async () => {
  // the most steps a run may have, so the run is still going when the control tests below pause it
  shared = await openPlayground('#steps=1000000');
  const { page, errors } = shared;
  const before = await mapHash(page);
  // Watched from the start of training (Playwright's own commands are left out of the trace).
  const train = page.getByRole('button', { name: 'Train', exact: true });
  await train.waitFor();
  await watchLongTasks(page);
  const t0 = Date.now();
  await train.click();
  // The first logged losses, read before the curve's bounded history starts averaging pairs (at 4000 points).
  firstLosses = await waitForValue(page, () => {
    const l = window.playground.losses;
    return l.values.length >= 3 && l.steps[2] === 30 ? l.values.slice(0, 3) : null;
  }, null, { what: 'the first three logged losses' });
  await waitForValue(page, () => Number(document.getElementById('stat-test-acc').dataset.value) >= 0.95, null,
    { timeoutMs: 15000, what: 'test accuracy >= 95%' });
  const seconds = (Date.now() - t0) / 1000;
  await page.waitForTimeout(1500); // keep training a little to watch for long tasks and later snapshots
  const losses = await page.evaluate(() => window.playground.losses);
  const first = firstLosses[0], last = losses.values.at(-1);
  const acc = await stat(page, 'stat-test-acc');
  const rate = await stat(page, 'stat-rate');
  const flops = await stat(page, 'stat-flops');
  console.log(`95% test accuracy after ${seconds.toFixed(2)} s; now ${(100 * acc).toFixed(1)}%, step ` +
    `${await stat(page, 'stat-step')}, loss ${first.toFixed(4)} -> ${last.toExponential(2)}, ` +
    `${Math.round(rate)} samples/s, ${(flops / 1e9).toFixed(2)} GFLOP done`);
  assert.ok(last < first / 4, `last loss ${last} is not below a quarter of the first ${first}`);
  await checkLongTasks(page, 'training');
  assert.notEqual(await mapHash(page), before, 'the decision map did not change while training');
  const s = await page.evaluate(() => window.playground.stats);
  console.log(`map: ${s.paints} paints, last ${s.mapMs.toFixed(2)} ms for 10,000 points; one prediction ` +
    `${s.latencyUs.toFixed(2)} µs; ${s.frames} frames, slowest (ms): ${JSON.stringify(s.worstMs)}`);
  assert.ok(s.paints >= 5, `only ${s.paints} map paints during training`);
  checkNoErrors(errors);
});

test('Hovering a point shows its predicted probabilities and the latency; arrow keys probe too', async () => {
  const { page, errors } = shared;
  const box = await page.locator('#map').boundingBox();
  const target = await page.evaluate(() => {
    const d = window.playground.trainer.info.dataset;
    return { x: d.x[0], y: d.x[1], label: d.y[0], domain: d.domain };
  });
  const [lo, hi] = target.domain;
  await page.mouse.move(box.x + ((target.x - lo) / (hi - lo)) * box.width, box.y + ((hi - target.y) / (hi - lo)) * box.height);
  const text = await waitForValue(page, () => {
    const t = document.getElementById('probe').textContent;
    return /train point #0/.test(t) ? t : null;
  }, null, { what: 'a prediction for training point #0' });
  console.log(`hover: ${text}`);
  assert.match(text, /label class \d → class 0: \d+\.\d%, class 1: \d+\.\d% · \d+\.\d µs per prediction$/);
  const us = await page.evaluate(() => Number(document.getElementById('probe').dataset.latencyUs));
  assert.ok(us > 0 && us < 1000, `latency ${us} µs`);
  console.log(`screenshot: ${await screenshot(page, 'playground')}`);

  await page.locator('#map').focus();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  const moved = await page.textContent('#probe');
  assert.notEqual(moved, text, 'arrow keys did not move the probe');
  assert.match(moved, /class 1: \d+\.\d%/);
  checkNoErrors(errors);
});

test('Pause stops the step counter, Step advances it (keyboard too), Reset with the same seed repeats the losses', async () => {
  const { page, errors } = shared;
  await page.getByRole('button', { name: 'Pause' }).click();
  await waitForValue(page, () => document.getElementById('status').textContent === 'paused', null, { what: 'paused' });
  const paused = await stat(page, 'stat-step');
  await page.waitForTimeout(400);
  assert.equal(await stat(page, 'stat-step'), paused, 'the step counter moved after Pause');

  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await waitForValue(page, (s) => Number(document.getElementById('stat-step').dataset.value) === s + 10, paused,
    { what: `step ${paused + 10}` });
  await page.getByRole('button', { name: 'Step', exact: true }).focus();
  await page.keyboard.press('Enter');
  await waitForValue(page, (s) => Number(document.getElementById('stat-step').dataset.value) === s + 20, paused,
    { what: `step ${paused + 20} after Enter on Step` });

  // Reset (seed 1, as the run above) and three Steps of 10 must log the same first three losses.
  await page.getByRole('button', { name: 'Reset' }).click();
  await waitForValue(page, () => document.getElementById('status').textContent === 'reset', null, { what: 'reset' });
  assert.equal(await stat(page, 'stat-step'), 0);
  for (let i = 1; i <= 3; i++) {
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await waitForValue(page, (n) => Number(document.getElementById('stat-step').dataset.value) === n, 10 * i,
      { what: `step ${10 * i}` });
  }
  const again = (await page.evaluate(() => window.playground.losses)).values;
  console.log(`first losses: run ${firstLosses.map((v) => v.toFixed(6))}, after reset ${again.map((v) => v.toFixed(6))}`);
  assert.deepEqual(again, firstLosses, 'Reset with the same seed did not reproduce the first losses');
  checkNoErrors(errors);
});

test('Changing the learning rate while training takes effect at once', async () => {
  const { page, errors } = shared;
  await watchLongTasks(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  // Weight movement per step at lr 0.03, then at lr 1e-6, over similar windows of the same run.
  const movement = async () => {
    const s0 = await stat(page, 'stat-step'), w0 = await weights(page);
    await page.waitForTimeout(600);
    const s1 = await stat(page, 'stat-step'), w1 = await weights(page);
    assert.ok(s1 > s0, `training did not advance (${s0} -> ${s1})`);
    return maxAbsDiff(w0, w1) / (s1 - s0);
  };
  const fast = await movement();
  await page.getByLabel('Learning rate').fill('0.000001');
  await page.getByLabel('Learning rate').press('Enter'); // commits the field (a change event)
  await page.waitForTimeout(300); // one snapshot period for the new lr to reach the page
  assert.match(await page.evaluate(() => location.hash), /lr=0\.000001/);
  const slow = await movement();
  console.log(`weight change per step: lr 0.03 -> ${fast.toExponential(2)}, lr 1e-6 -> ${slow.toExponential(2)}`);
  assert.ok(slow < fast / 100, `lr 1e-6 moved weights ${slow} per step vs ${fast} at lr 0.03`);
  await page.getByRole('button', { name: 'Pause' }).click();
  await checkLongTasks(page, 'training with lr changes');
  checkNoErrors(errors);
  await shared.context.close();
});

test('A link reproduces a run; an invalid link shows a message and falls back to the defaults', async () => {
  const link = '#ds=moons&noise=0.1&n=300&test=0.3&dseed=7&layers=8:tanh&loss=cross_entropy&opt=momentum&lr=0.1&bs=16&seed=5';
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const { page, context, errors } = await openPlayground(link);
    const config = await page.evaluate(() => window.playground.config);
    assert.deepEqual([config.dataset, config.n, config.layers, config.optimizer, config.seed],
      ['moons', 300, [{ units: 8, act: 'tanh' }], 'momentum', 5]);
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await waitForValue(page, () => Number(document.getElementById('stat-step').dataset.value) === 10, null, { what: 'step 10' });
    runs.push((await page.evaluate(() => window.playground.losses)).values);
    checkNoErrors(errors);
    await context.close();
  }
  assert.equal(runs[0].length, 1);
  assert.deepEqual(runs[1], runs[0], 'the same link gave a different loss');

  const { page, context, errors } = await openPlayground('#ds=spiral&lr=fast');
  const msg = await page.textContent('#message');
  assert.ok(await page.isVisible('#message'), 'no visible message for an invalid link');
  assert.match(msg, /Learning rate: expected a number from 0\.000001 to 10, got "fast"/);
  assert.equal((await page.evaluate(() => window.playground.config)).lr, 0.03, 'did not fall back to the defaults');
  checkNoErrors(errors);
  await context.close();
});

test('The activation menu offers every activation of the table of layers; choosing silu rebuilds the run with it', async () => {
  const { page, context, errors } = await openPlayground('#ds=moons&layers=8:tanh&seed=5');
  const menu = page.getByLabel('Layer 1 activation');
  const options = await menu.evaluate((select) => [...select.options].map((o) => [o.value, o.textContent]));
  const activations = layerTable().filter((row) => row.traits.includes('ACTIVATION')).map((row) => [row.name, row.name]);
  assert.deepEqual(options, [...activations, ['linear', 'none']]);
  assert.equal(await menu.inputValue(), 'tanh');
  await menu.selectOption('silu');
  await waitForValue(page, () => location.hash.includes('layers=8:silu') && window.playground.trainer?.spec?.layers?.[1]?.type === 'silu',
    null, { what: 'a run with silu' });
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await waitForValue(page, () => Number(document.getElementById('stat-step').dataset.value) === 10, null, { what: 'step 10' });
  checkNoErrors(errors);
  await context.close();
});

test('Divergence stops training with a readable message and inference keeps the last good weights', async () => {
  // Plain SGD at lr 10 on a squared error blows up within a few dozen steps.
  const { page, context, errors } = await openPlayground('#ds=sine&layers=16:tanh&loss=mse&opt=sgd&lr=10&seed=1');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForValue(page, () => document.getElementById('status').textContent === 'stopped: diverged', null,
    { what: 'divergence', timeoutMs: 10000 });
  const msg = await page.textContent('#message');
  console.log(`divergence message: ${msg}`);
  assert.match(msg, /^Training stopped: diverged at step \d+ \([^)]+\): try a lower learning rate\. Inference keeps the last good weights\.$/);
  const w = await weights(page);
  assert.ok(w.every(Number.isFinite), 'the predictor holds non-finite weights');
  const stepAfter = await stat(page, 'stat-step');
  await page.waitForTimeout(300);
  assert.equal(await stat(page, 'stat-step'), stepAfter, 'training went on after divergence');
  checkNoErrors(errors);
  await context.close();
});

test('A wasm trap in the worker is reported; a new worker continues from the last snapshot', async () => {
  const { page, context, errors } = await openPlayground('', { testWorker: true });
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await waitForValue(page, () => Number(document.getElementById('stat-step').dataset.value) === 10, null, { what: 'step 10' });
  const before = await weights(page);
  const err = await page.evaluate(() => window.playground.trainer._request('crash').then(() => 'no error', (e) => e.message));
  assert.match(err, /wasm trap: unreachable/);
  await waitForValue(page, () => /^restarted at step 10/.test(document.getElementById('status').textContent), null,
    { what: 'the restart' });
  assert.match(await page.textContent('#message'), /training worker failed \(wasm trap: unreachable\)/);
  assert.deepEqual(await weights(page), before, 'the predictor lost its weights in the crash');
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await waitForValue(page, () => Number(document.getElementById('stat-step').dataset.value) === 20, null,
    { what: 'step 20 on the new worker' });
  checkNoErrors(errors);
  await context.close();
});

test('Every dataset and loss builds, steps and paints its view from a link (hash changes rebuild the run)', async () => {
  const { page, context, errors } = await openPlayground();
  const combos = [['spiral', 'cross_entropy', '&arms=3'], ['spiral', 'binary_cross_entropy', ''], ['circles', 'mse', ''],
    ['xor', 'cross_entropy', ''], ['moons', 'binary_cross_entropy', ''], ['gaussians', 'mse', ''], ['sine', 'mse', '']];
  for (const [ds, loss, extra] of combos) {
    const hash = `#ds=${ds}${extra}&loss=${loss}&layers=8:tanh`;
    const paints = await page.evaluate(() => window.playground.stats.paints);
    await page.evaluate((h) => { location.hash = h; }, hash);
    await waitForValue(page, (d) => window.playground.config.dataset === d && document.getElementById('status').textContent === 'ready',
      ds, { what: `${hash} ready` });
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await waitForValue(page, () => Number(document.getElementById('stat-step').dataset.value) === 10, null, { what: `${hash} step 10` });
    await waitForValue(page, (p) => window.playground.stats.paints > p, paints, { what: `${hash} repaint` });
    const loss10 = await stat(page, 'stat-loss');
    assert.ok(Number.isFinite(loss10), `${hash}: loss ${loss10}`);
    assert.equal(await page.isVisible('#message'), false, `${hash}: ${await page.textContent('#message')}`);
  }
  await screenshot(page, 'playground-sine');
  checkNoErrors(errors);
  await context.close();
});

// Robustness in headless Chromium through the playground page (issue 7): a learning rate of 1e6 diverges with the
// message on the page while inference keeps serving the last good weights, also when the bad update was a step of
// its own (issue 15); a worker terminated mid-training is replaced from the last snapshot and training continues;
// and the loss curve the worker logs for a fixed seed is bit-identical to the one wasm/tinytrain.js computes in
// Node. One browser for the whole file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, waitForValue } from './helpers.mjs';
import { Model } from '../../wasm/tinytrain.js';
import { DEFAULTS, buildSpec, dataOptions, cloneConfig } from '../../demos/playground/config.js';
import { prepareData } from '../../web/session.js';

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { if (env) await env.close(); });

async function openPlayground(hash = '') {
  const { page, context, errors } = await openPage(env.browser);
  await page.goto(`${env.origin}/demos/playground/${hash}`);
  await waitForValue(page, () => document.getElementById('status').textContent === 'ready', null, { what: 'status "ready"' });
  return { page, context, errors };
}
const stepOf = (page) => page.evaluate(() => Number(document.getElementById('stat-step').dataset.value));
// The predictor's weights and its probabilities for the first 50 training points, straight from the page.
const inference = (page) => page.evaluate(() => {
  const t = window.playground.trainer;
  const x = t.info.dataset.x.subarray(0, 100);
  return { weights: Array.from(t.predictor.getWeights()), probs: Array.from(t.predictor.probabilities(x)) };
});

test('lr 1e6: training stops with the divergence message and predictions still come from the last good weights', async () => {
  // Adam's normalised steps survive lr 1e6 (the loss even falls); plain SGD blows up, as a reader's typo would.
  const { page, context, errors } = await openPlayground('#opt=sgd&lr=0.1');
  await page.getByRole('button', { name: 'Step' }).click();
  await waitForValue(page, () => Number(document.getElementById('stat-step').dataset.value) === 10, null, { what: 'step 10' });
  const good = await inference(page);
  // The form caps lr at 10 (and Train re-applies the form's lr), so go through the page's Trainer, as a page
  // embedding it with its own controls would.
  await page.evaluate(async () => {
    const t = window.playground.trainer;
    await t.set({ lr: 1e6 });
    await t.start();
  });
  await waitForValue(page, () => document.getElementById('status').textContent === 'stopped: diverged', null,
    { what: 'divergence', timeoutMs: 15000 });
  const msg = await page.textContent('#message');
  console.log(`message: ${msg}`);
  assert.ok(await page.isVisible('#message'), 'the divergence message is not visible');
  assert.match(msg, /^Training stopped: diverged at step (1[1-9]|20) \((loss|gradient norm) = [^)]+\): try a lower learning rate\. Inference keeps the last good weights\.$/);
  const after = await inference(page);
  assert.deepEqual(after.weights, good.weights, 'the predictor weights changed');
  assert.deepEqual(after.probs, good.probs, 'predictions differ from those of the last good weights');
  assert.ok(after.probs.every(Number.isFinite), 'non-finite predictions');
  // Hovering the map still answers from those weights.
  const box = await page.locator('#map').boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.6);
  await waitForValue(page, () => /class 0: \d+\.\d%/.test(document.getElementById('probe').textContent), null, { what: 'a probe' });
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

// Issue 15: the bad update is the only step of its call, so the page gets its weights as a snapshot; the step that
// finds them (a step request, or a run) must bring the page back to the weights before it, and training goes on.
test('sgd lr 0.1, 9 steps, one step at lr 1e6: once the divergence is found the page holds the weights before the bad update', async () => {
  const { page, context, errors } = await openPlayground('#opt=sgd&lr=0.1');
  const r = await page.evaluate(async () => {
    const t = window.playground.trainer;
    const weights = () => Array.from(t.predictor.getWeights());
    const maxAbs = (w) => w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    await t.ready;
    await t.step(9);
    const good = weights();
    await t.set({ lr: 1e6 });
    await t.step(1); // its loss and gradient were sane: nothing is wrong yet but the weights it made
    const bad = maxAbs(weights());
    let message = null;
    try { await t.step(1); } catch (e) { message = e.message; }
    const afterStep = weights();
    // again through a run (the Train button's path): the error event, and the predictor back at the good weights
    await t.set({ lr: 0.1 });
    const { step: resumed } = await t.step(10);
    const good2 = weights();
    await t.set({ lr: 1e6 });
    await t.step(1);
    const stopped = new Promise((resolve) => t.addEventListener('stopped', (e) => resolve(e.detail), { once: true }));
    await t.start();
    const stop = await stopped;
    await t.pause();
    return { good, bad, message, afterStep, resumed, good2, stop, afterRun: weights(), maxGood: maxAbs(good2) };
  });
  console.log(`after the bad update |w| ${r.bad.toExponential(2)}; ${r.message}; the good weights' |w| ${r.maxGood.toFixed(2)}`);
  assert.ok(r.bad > 1e3, `the bad update did not blow the weights up (${r.bad}): the test proves nothing`);
  assert.match(r.message, /^diverged at step 11 \(loss = [^)]+\): try a lower learning rate$/);
  assert.deepEqual(r.afterStep, r.good, 'a step request: the predictor does not hold the weights before the bad update');
  assert.equal(r.resumed, 19, 'training at lr 0.1 did not go on from step 9');
  assert.deepEqual(r.stop.reason, 'diverged');
  assert.deepEqual(r.afterRun, r.good2, 'a run: the predictor does not hold the weights before the bad update');
  assert.ok(r.maxGood < 100, `weights after recovery: |w| ${r.maxGood}`);
  assert.equal(await page.textContent('#status'), 'stopped: diverged');
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

test('worker.terminate() mid-training: an error is shown, a new worker resumes from the last snapshot, Train continues', async () => {
  const { page, context, errors } = await openPlayground();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForValue(page, () => Number(document.getElementById('stat-step').dataset.value) >= 200, null, { what: 'step 200' });
  const before = await page.evaluate(() => {
    const t = window.playground.trainer;
    const info = { snapshots: t.weightsVersion };
    t.worker.terminate(); // what any code holding the worker, or the browser under memory pressure, may do
    info.weights = Array.from(t.predictor.getWeights());
    info.step = t.lastSnapshot.step;
    return info;
  });
  try {
    await waitForValue(page, (s) => document.getElementById('status').textContent === `restarted at step ${s}; paused`,
      before.step, { what: `"restarted at step ${before.step}; paused" (the last snapshot)`, timeoutMs: 15000 });
  } catch (err) { // say what the page shows instead
    const shown = await page.evaluate(() => ({ status: document.getElementById('status').textContent,
      message: document.getElementById('message').textContent, restarts: window.playground.trainer.restarts.length }));
    throw new Error(`${err.message}; the page shows ${JSON.stringify(shown)}`);
  }
  assert.match(await page.textContent('#message'), /training worker failed \(the training worker was terminated\)/);
  const restored = await page.evaluate(() => {
    const t = window.playground.trainer;
    return { weights: Array.from(t.predictor.getWeights()), restarts: t.restarts.length };
  });
  assert.deepEqual(restored.weights, before.weights, 'the predictor lost the last snapshot');
  assert.equal(restored.restarts, 1);
  console.log(`terminated after the snapshot of step ${before.step}; restarted from it`);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForValue(page, (s) => Number(document.getElementById('stat-step').dataset.value) >= s + 100, before.step,
    { what: `training past step ${before.step + 100} on the new worker` });
  await page.getByRole('button', { name: 'Pause' }).click();
  const w = await page.evaluate(() => Array.from(window.playground.trainer.predictor.getWeights()));
  assert.notDeepEqual(w, before.weights, 'the new worker did not train');
  assert.ok(w.every(Number.isFinite));
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

test('the worker in Chromium logs the same loss curve as wasm/tinytrain.js in Node, bit for bit', async () => {
  const config = cloneConfig(DEFAULTS);
  config.seed = 7;
  const hash = '#ds=spiral&arms=3&n=300&layers=16:tanh,8:relu&loss=cross_entropy&opt=adam&lr=0.02&bs=16&seed=7';
  Object.assign(config, { dataset: 'spiral', arms: 3, n: 300, layers: [{ units: 16, act: 'tanh' }, { units: 8, act: 'relu' }],
    optimizer: 'adam', lr: 0.02, batchSize: 16 });
  const { page, context, errors } = await openPlayground(hash);
  assert.deepEqual(await page.evaluate(() => window.playground.config), JSON.parse(JSON.stringify(config)), 'the link did not give this config');
  const steps = 300;
  await page.evaluate((n) => window.playground.trainer.step(n), steps);
  const browser = await waitForValue(page, (n) => {
    const l = window.playground.losses;
    return l.values.length === n / 10 ? l.values : null;
  }, steps, { what: `${steps / 10} logged losses` });

  // Node: the session's recipe (spec and data from the config, logEvery 10, the page's batch size).
  const spec = buildSpec(config);
  const data = prepareData(dataOptions(config), spec);
  const m = await Model.create(spec);
  m.setData(data.x, data.y);
  const node = [];
  for (let i = 0; i < steps / 10; i++) node.push(m.trainSteps(10, config.batchSize).loss);
  m.dispose();
  const first = node.findIndex((v, i) => !Object.is(v, browser[i]));
  console.log(`losses at steps 10..${steps}: ${node[0].toFixed(6)} -> ${node.at(-1).toFixed(6)}; first difference: ${first}`);
  assert.equal(first, -1, `the curves differ first at step ${10 * (first + 1)}: Node ${node[first]} vs Chromium ${browser[first]}`);
  assert.ok(node.at(-1) < node[0], 'the run did not learn (the comparison would be weak)');
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

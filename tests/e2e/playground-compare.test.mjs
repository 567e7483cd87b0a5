// Issue 18's parallel runs in the playground, in Chromium: three configurations added through the page train at
// once, each in a worker of its own, with no long task of the page's own (CPU time from a trace, so the check holds
// on a loaded machine); each run's weights and losses equal the same configuration trained alone, bit for bit;
// choosing a run makes it the page's model (its file downloads with the same bytes); removing one ends its
// worker; the page's controls, a hidden tab and reduced motion apply to every run; a phone keeps Train and the map
// first. One browser for the file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startBrowser, openPage, waitForValue, screenshot, setTabHidden } from './helpers.mjs';
import { traceTasks, showTask } from './main-thread.mjs';
import { USE_TEST_WORKER } from './worker-hooks.mjs';

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { await env?.close(); });

const checkNoErrors = (errors) => assert.deepEqual(errors, [], `errors on the page:\n${errors.join('\n')}`);
const LONG_TASK_MS = 50; // the budget: no task of the page's own over 50 ms

// testWorker: every Trainer gets tests/e2e/hooked-worker.mjs, which also takes the test-only `crash` request.
async function openPlayground(hash, { testWorker = false, ...options } = {}) {
  const { page, context, errors } = await openPage(env.browser, options);
  if (testWorker) await page.addInitScript(USE_TEST_WORKER);
  await page.addInitScript(TRAINERS);
  await page.goto(`${env.origin}/demos/playground/${hash}`);
  await waitForValue(page, () => document.getElementById('status').textContent === 'ready' &&
    window.playground.stats.paints > 0, null, { what: 'the page ready', timeoutMs: 30000 });
  return { page, context, errors };
}

// An init script: window.trainers() lists the page's model's and every compared run's trainer, as the cards do.
const TRAINERS = () => {
  window.trainers = () => [window.playground.trainer, ...window.playground.runs.map((r) => r.trainer)];
};

// Every run: its step, whether it trains, its last snapshot's step, its weights' bytes (hex) and its losses.
const runState = (page) => page.evaluate(() => {
  const trainers = window.trainers();
  const hex = (w) => Array.from(new Uint8Array(w.buffer, w.byteOffset, w.byteLength), (b) => b.toString(16).padStart(2, '0')).join('');
  const losses = [window.playground.losses, ...window.playground.runs.map((r) => r.losses)];
  return trainers.map((t, i) => ({
    step: t.progress?.step ?? 0, running: t.running, snapshotStep: t.lastSnapshot?.step ?? -1,
    weights: t.predictor ? hex(t.predictor.getWeights()) : '', losses: losses[i], loss: t.progress?.loss,
    wallMs: t.progress?.wallMs,
  }));
});

async function addRun(page, fields) {
  await page.getByRole('button', { name: 'Add a run to compare' }).click();
  for (const [id, value] of Object.entries(fields)) {
    const el = page.locator(`#${id}`);
    if (await el.evaluate((e) => e.tagName === 'SELECT')) await el.selectOption(value);
    else await el.fill(String(value));
  }
  await page.getByRole('button', { name: 'Add run', exact: true }).click();
}

// Waits until the page has `n` workers (Playwright follows their start and end).
const waitForWorkers = (page, n, what) => {
  const t0 = Date.now();
  return (async () => {
    while (page.workers().length !== n) {
      if (Date.now() - t0 > 10000) throw new Error(`${page.workers().length} workers, not ${n}: ${what}`);
      await page.waitForTimeout(50);
    }
  })();
};

async function downloadWeights(page) {
  const [download] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download weights' }).click()]);
  return readFile(await download.path());
}

let compare; // the page of the first test, with its three runs trained
let trained; // their states at the end

test('three configurations train at once, each in its own worker, with no long task of the page\'s own', async () => {
  compare = await openPlayground('#steps=300');
  const { page, errors } = compare;
  assert.equal(page.workers().length, 1, 'the page\'s model has one worker');
  await addRun(page, {}); // the form's own suggestion: the next seed
  await addRun(page, { 'run-seed': 1, 'run-units': 8, 'run-act': 'tanh', 'run-lr': 0.1 });
  const names = await page.evaluate(() => window.playground.runs.map((r) => r.name));
  assert.deepEqual(names, ['seed 2', '8 units, tanh, learning rate 0.1']);
  await waitForWorkers(page, 3, 'three runs');
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /&vs=seed=2\|layers=8:tanh,8:tanh;lr=0\.1$/, 'the link lists the compared runs');
  // the chart's legend and the cards name the runs the same way
  assert.deepEqual(await page.locator('.run-name').allTextContents(), ['the page\'s model', ...names]);
  await waitForValue(page, (n) => [...document.querySelectorAll('#chart-legend > span')].map((e) => e.textContent).join('|') === n,
    ['the page\'s model', ...names].join('|'), { what: 'the chart\'s legend to name the runs' });

  // Train all three at the page's default pace (watch: 100 steps/s) to the step budget, traced.
  await page.getByRole('button', { name: 'Train', exact: true }).waitFor();
  const { tasks } = await traceTasks(page, async () => {
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await waitForValue(page, () => window.playground.runs.every((r) => r.trainer.running) && window.playground.trainer.running,
      null, { what: 'all three training' });
    await waitForValue(page, () => window.trainers().every((t) => t.lastSnapshot?.step === 300 && !t.running), null,
      { what: 'all three at step 300', timeoutMs: 60000 });
  });
  trained = await runState(page);
  assert.deepEqual(trained.map((r) => r.step), [300, 300, 300]);
  // every run at the page's pace (watch: 100 steps per second, as teach-pace checks for one run)
  for (const [i, r] of trained.entries()) {
    assert.ok(r.step <= (r.wallMs / 1000) * 100 + 20, `run ${i}: step ${r.step} after ${r.wallMs} ms is faster than watch`);
  }
  // the page's tasks from the press of Train to the last run's end, by CPU time (main-thread.mjs)
  const stats = await page.evaluate(() => window.playground.stats);
  const paints = await page.evaluate(() => [window.playground.mainCard.paints, ...window.playground.runs.map((r) => r.paints)]);
  console.log(`3 runs to step 300: ${tasks.length} main-thread tasks traced, the busiest ${showTask(tasks[0])}; ` +
    `small map paints ${paints.join(', ')}; main map paints ${stats.paints}; slowest frame parts (wall ms) ${JSON.stringify(stats.worstMs)}`);
  assert.ok(tasks[0].cpuMs <= LONG_TASK_MS, `a main-thread task took ${showTask(tasks[0])} (limit ${LONG_TASK_MS} ms)`);
  for (const [i, n] of paints.entries()) assert.ok(n >= 2, `card ${i}'s small map was painted ${n} times while training`);
  // the runs learned different things: different weights and losses
  assert.notEqual(trained[0].weights, trained[1].weights);
  assert.ok(trained.every((r) => r.losses.values.length >= 20), 'each run has a loss curve');
  await screenshot(page.locator('#compare-section'), 'playground-compare');
  checkNoErrors(errors);
});

test('at full speed too, four runs leave the page no task over 50 ms of its own, and every small map keeps up', async () => {
  const { page, context, errors } = await openPlayground('#steps=1000000&speed=fast&vs=seed=2|layers=32:tanh,32:tanh,32:tanh;lr=0.01|bs=8;seed=3');
  await waitForWorkers(page, 4, 'four runs from the link');
  await waitForValue(page, () => window.playground.runs.every((r) => r.paints > 0), null, { what: 'the small maps' });
  const before = await page.evaluate(() => [window.playground.mainCard.paints, ...window.playground.runs.map((r) => r.paints)]);
  const { tasks } = await traceTasks(page, async () => {
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.waitForTimeout(4000);
  });
  const after = await page.evaluate(() => [window.playground.mainCard.paints, ...window.playground.runs.map((r) => r.paints)]);
  const steps = (await runState(page)).map((r) => r.step);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const paints = after.map((n, i) => n - before[i]);
  console.log(`4 runs at full speed for 4 s: steps ${steps.join(', ')}; ${tasks.length} main-thread tasks traced, the busiest ` +
    `${showTask(tasks[0])}; small map paints ${paints.join(', ')}`);
  assert.ok(tasks[0].cpuMs <= LONG_TASK_MS, `a main-thread task took ${showTask(tasks[0])} (limit ${LONG_TASK_MS} ms)`);
  for (const [i, n] of paints.entries()) assert.ok(n >= 2, `card ${i}'s small map was painted ${n} times in 4 s of training`);
  assert.ok(steps.every((n) => n > 1000), `steps ${steps}: a run hardly trained`);
  await context.close();
  checkNoErrors(errors);
});

let alone; // the bytes of each run's weight file, trained alone
test('each run\'s weights and losses equal the same configuration trained alone with the same seed, bit for bit', async () => {
  assert.ok(trained, 'needs the first test');
  const links = await compare.page.evaluate(() => [
    `#${window.location.hash.slice(1).replace(/&vs=.*$/, '')}`, ...window.playground.runs.map((r) => r.link)]);
  alone = [];
  for (const [i, link] of links.entries()) {
    // at full speed: the pace changes when steps run, not what they compute
    const { page, context, errors } = await openPlayground(link.replace('speed=watch', 'speed=fast'));
    assert.equal(await page.evaluate(() => window.playground.runs.length), 0, 'a run\'s own link has no compared runs');
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await waitForValue(page, () => window.playground.trainer.lastSnapshot?.step === 300 && !window.playground.trainer.running,
      null, { what: `run ${i} alone at step 300`, timeoutMs: 30000 });
    const [state] = await runState(page);
    console.log(`run ${i} (${link.match(/layers=[^&]*|(?<=&)seed=\d+|lr=[^&]*/g).join(' ')}): loss at step 300 together ` +
      `${trained[i].loss}, alone ${state.loss}; ${state.weights.length / 8} weights`);
    assert.equal(state.loss, trained[i].loss, `run ${i}: the loss at step 300 differs`);
    assert.deepEqual(state.losses, trained[i].losses, `run ${i}: the loss curves differ`);
    assert.equal(state.weights, trained[i].weights, `run ${i}: the weights differ`);
    alone.push(await downloadWeights(page));
    await context.close();
    checkNoErrors(errors);
  }
});

test('choosing a run makes it the page\'s model; removing a run ends its worker', async () => {
  assert.ok(alone, 'needs the tests above');
  const { page, errors } = compare;
  const chosen = await page.evaluate(() => window.playground.runs[1].link);
  await page.getByRole('button', { name: 'Use this one: 8 units, tanh, learning rate 0.1' }).click();
  // the page's model is now that run: its settings in the form and the link, its trainer and weights
  assert.equal(await page.inputValue('#lr'), '0.1');
  assert.equal(await page.inputValue('#layers li:first-child .units'), '8');
  assert.equal(await page.inputValue('#layers li:first-child .act'), 'tanh');
  const hash = await page.evaluate(() => location.hash);
  assert.equal(hash.replace(/&vs=.*$/, ''), chosen, 'the link\'s own settings are the chosen run\'s');
  assert.match(hash, /&vs=layers=16:relu,16:relu;lr=0\.03;seed=2\|layers=16:relu,16:relu;lr=0\.03$/,
    'the page\'s former model is compared now, named by how it differs');
  const [main] = await runState(page);
  assert.equal(main.weights, trained[2].weights, 'the page predicts with the chosen run\'s weights');
  assert.equal(main.step, 300);
  assert.deepEqual(main.losses, trained[2].losses, 'the chart keeps the chosen run\'s curve');
  assert.deepEqual(await page.evaluate(() => window.playground.runs.map((r) => r.name)),
    ['16 units, relu, learning rate 0.03, seed 2', '16 units, relu, learning rate 0.03']);
  assert.equal(page.workers().length, 3, 'choosing a run starts and ends no worker');
  // the page's save path gives the file of the run trained alone, byte for byte
  assert.ok((await downloadWeights(page)).equals(alone[2]), 'the downloaded weights differ from the run trained alone');
  // the map shows the chosen run: a probe answers with its predictor
  await waitForValue(page, () => document.getElementById('stat-map').dataset.value !== 'NaN', null, { what: 'the map painted' });

  // Removing a run ends its worker and frees its predictor.
  const removed = page.evaluate(() => new Promise((resolve) => {
    const t = window.playground.runs[0].trainer;
    const worker = t.worker;
    const wait = () => (t.disposed && !t.predictor && t.worker === null ? resolve(!!worker) : setTimeout(wait, 20));
    wait();
  }));
  await page.getByRole('button', { name: 'Remove 16 units, relu, learning rate 0.03, seed 2' }).click();
  assert.equal(await removed, true);
  await waitForWorkers(page, 2, 'a removed run\'s worker ends');
  assert.match(await page.evaluate(() => location.hash), /&vs=layers=16:relu,16:relu;lr=0\.03$/);
  await page.getByRole('button', { name: 'Remove 16 units, relu, learning rate 0.03' }).click();
  await waitForWorkers(page, 1, 'the last compared run\'s worker ends');
  assert.doesNotMatch(await page.evaluate(() => location.hash), /vs=/, 'no compared run left in the link');
  assert.equal(await page.isVisible('#runs'), false, 'the cards go with the last compared run');
  await compare.context.close();
  checkNoErrors(errors);
});

test('Step, Stop, a hidden tab and reduced motion apply to every run', async () => {
  const { page, context, errors } = await openPlayground('#ds=circles&steps=100000&vs=seed=5|lr=0.003', { reducedMotion: 'reduce' });
  await waitForWorkers(page, 3, 'three runs from the link');
  const steps = async () => (await runState(page)).map((r) => r.step);
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await waitForValue(page, () => window.trainers().every((t) => t.progress?.step === 10), null,
    { what: 'every run at step 10' });

  // Stop one run: Train leaves it paused; the others train.
  await page.getByRole('button', { name: 'Stop learning rate 0.003' }).click();
  const paintsBefore = await page.evaluate(() => window.playground.runs[0].paints);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForValue(page, () => window.playground.trainer.running && window.playground.runs[0].trainer.running, null,
    { what: 'the other runs training' });
  await page.waitForTimeout(3000);
  const [mainStep, seedStep, stoppedStep] = await steps();
  assert.equal(stoppedStep, 10, 'a stopped run trained on');
  assert.ok(mainStep > 10 && seedStep > 10, `steps ${mainStep}, ${seedStep}`);
  // reduced motion: each small map follows its weights about once a second
  const paints = (await page.evaluate(() => window.playground.runs[0].paints)) - paintsBefore;
  console.log(`reduced motion: ${paints} paints of a training run's small map in about 3 s`);
  assert.ok(paints >= 1 && paints <= 6, `${paints} small map paints in about 3 s`);

  // A hidden tab pauses every run that trains; showing it again resumes them (and not the stopped one).
  const setHidden = (hidden) => setTabHidden(page, hidden);
  await setHidden(true);
  await waitForValue(page, () => window.trainers().every((t) => !t.running), null,
    { what: 'every run paused in a hidden tab' });
  const hiddenSteps = await steps();
  await page.waitForTimeout(400);
  assert.deepEqual(await steps(), hiddenSteps, 'a run trained on in a hidden tab');
  await setHidden(false);
  await waitForValue(page, () => window.playground.trainer.running && window.playground.runs[0].trainer.running, null,
    { what: 'the runs to resume' });
  assert.equal((await steps())[2], 10, 'the stopped run stays stopped');
  await page.getByRole('button', { name: 'Resume learning rate 0.003' }).click();
  await waitForValue(page, () => window.playground.runs[1].trainer.progress.step > 10, null, { what: 'the resumed run to train' });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await waitForValue(page, () => window.trainers().every((t) => !t.running), null,
    { what: 'Pause to pause every run' });
  await context.close();
  checkNoErrors(errors);
});

test('a compared run whose worker dies restarts from its snapshot; a new dataset rebuilds the runs on it', async () => {
  const { page, context, errors } = await openPlayground('#vs=seed=2', { testWorker: true });
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await waitForValue(page, () => window.trainers().every((t) => t.lastSnapshot?.step === 10), null, { what: 'both at step 10' });
  const [, before] = await runState(page);
  const err = await page.evaluate(() => window.playground.runs[0].trainer._request('crash').then(() => 'no error', (e) => e.message));
  assert.match(err, /wasm trap: unreachable/);
  await waitForValue(page, () => window.playground.runs[0].status === 'restarted at step 10; paused', null, { what: 'the restart' });
  assert.match(await page.textContent('#message'), /^seed 2: wasm trap: unreachable/);
  const [main, after] = await runState(page);
  assert.equal(after.weights, before.weights, 'the run lost its weights in the crash');
  assert.equal(main.step, 10, 'the page\'s model was disturbed');
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await waitForValue(page, () => window.trainers().every((t) => t.progress?.step === 20), null, { what: 'both at step 20' });

  // Another dataset: the compared run keeps its settings and starts again on the new data, its map a curve.
  await page.selectOption('#dataset', 'sine');
  await waitForValue(page, () => window.playground.runs[0].trainer.info?.dataset && window.playground.runs[0].paints > 0 &&
    document.getElementById('status').textContent === 'ready', null, { what: 'the run rebuilt on sine' });
  assert.deepEqual(await page.evaluate(() => [window.playground.runs[0].name, window.playground.runs[0].trainer.data.dataset,
    window.playground.runs[0].trainer.disposed]), ['seed 2', 'sine', false]);
  await waitForWorkers(page, 2, 'one worker per run after the rebuild');
  assert.match(await page.evaluate(() => location.hash), /ds=sine.*&vs=seed=2$/);
  assert.match(await page.locator('.run-test-label').first().textContent(), /Held-out loss/, 'a regression shows its held-out loss');
  await context.close();
  checkNoErrors(errors);
});

test('a link with a bad compared run names it and keeps the rest; the form refuses a run like the page\'s', async () => {
  const { page, context, errors } = await openPlayground('#vs=seed=2|ds=moons|lr=fast');
  assert.match(await page.textContent('#message'),
    /Compared run 2 is left out: "ds" cannot differ between compared runs.*Compared run 3 is left out: Learning rate: expected a number/);
  assert.deepEqual(await page.evaluate(() => window.playground.runs.map((r) => r.name)), ['seed 2']);
  assert.match(await page.evaluate(() => location.hash), /&vs=seed=2$/, 'the link now lists what the page shows');
  await addRun(page, { 'run-seed': 1 });
  assert.match(await page.textContent('#message'), /Not added: this run has the same settings as the page's model/);
  await page.getByRole('button', { name: 'Add run', exact: true }).waitFor(); // the form stays open to fix
  await page.fill('#run-lr', '20');
  await page.getByRole('button', { name: 'Add run', exact: true }).click();
  assert.match(await page.textContent('#message'), /Not added: Learning rate: expected a number from 0\.000001 to 10, got "20"/);
  await page.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await page.evaluate(() => window.playground.runs.length), 1);
  await context.close();
  checkNoErrors(errors);
});

test('on a phone with compared runs, Train and the map stay on the first screen, the runs after them', async () => {
  const { page, context, errors } = await openPlayground('#vs=seed=2|lr=0.1',
    { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 1 });
  await waitForValue(page, () => window.playground.runs.every((r) => r.paints > 0), null, { what: 'the small maps' });
  const b = await page.evaluate(() => Object.fromEntries(['#train', '#map', '#compare-section', '#config'].map((s) => {
    const r = document.querySelector(s).getBoundingClientRect();
    return [s, { top: r.top + scrollY, bottom: r.bottom + scrollY, right: r.right }];
  })));
  console.log(`phone: Train ends at ${b['#train'].bottom}px, the map at ${b['#map'].bottom}px, the runs start at ${b['#compare-section'].top}px`);
  assert.ok(b['#train'].bottom <= 844 && b['#map'].bottom <= 844, 'Train or the map is below the first screen');
  assert.ok(b['#compare-section'].top > b['#train'].bottom && b['#compare-section'].top > b['#map'].bottom);
  assert.ok(b['#compare-section'].right <= 390, 'the runs are wider than the screen');
  await screenshot(page.locator('#compare-section'), 'playground-compare-phone');
  await context.close();
  checkNoErrors(errors);
});

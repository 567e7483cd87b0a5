// The cost panel (web/views/costs.js) in headless Chromium, through the pages a reader opens: on the digits page
// with the pretrained MLP, "Measure serving" shows p50/p95 latency and throughput at batch 1, 8 and 64 without a
// long task, agrees with Model.measureServing called on the same model, and its break-even count times the FLOPs
// per prediction gives the training FLOPs; the per-day control moves the day and the CPU time, and a bad value is
// refused in words. The playground counts a run of its own (FLOPs, wall and CPU time) and measures its predictor;
// <tiny-train panels="costs"> loads the panel on demand (a widget without the attribute does not) and shows the
// same numbers. One browser for the file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, screenshot, waitForValue, watchLongTasks, checkLongTasks } from './helpers.mjs';
import { PRETRAIN } from '../../demos/digits/models.js';

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { if (env) await env.close(); });

function checkNoErrors(errors) {
  assert.deepEqual(errors, [], `errors on the page:\n${errors.join('\n')}`);
}

// A value of the panel: its text and its raw number (data-value); `scope` is a locator holding one panel.
async function field(scope, name) {
  const el = scope.locator(`[data-cost="${name}"]`);
  return { text: await el.textContent(), value: Number((await el.getAttribute('data-value')) || NaN), title: await el.getAttribute('title') };
}

// Presses Measure serving and waits for the p50 to appear; returns the panel's serving numbers.
async function measure(page, scope, what) {
  await scope.getByRole('button', { name: 'Measure serving' }).click();
  const p50 = scope.locator('[data-cost="p50"]');
  await waitForValue(page, (el) => el.dataset.value !== '' && !el.closest('.costs').querySelector('[data-cost="measure"]').disabled,
    await p50.elementHandle(), { what: `${what}: the serving measurement`, timeoutMs: 30000 });
  const rows = scope.locator('[data-cost="batches"] tr[data-batch]');
  const perSecond = {}, perPrediction = {};
  for (let i = 0; i < await rows.count(); i++) {
    const row = rows.nth(i), batch = await row.getAttribute('data-batch');
    perSecond[batch] = Number(await row.getAttribute('data-per-second'));
    perPrediction[batch] = await row.locator('td').nth(1).textContent();
  }
  const result = { p50: await field(scope, 'p50'), p95: await field(scope, 'p95'), perSecond, perPrediction,
    rowsText: await scope.locator('[data-cost="batches"]').textContent() };
  console.log(`${what}: p50 ${result.p50.text}, p95 ${result.p95.text}, per second ${JSON.stringify(perSecond)}`);
  return result;
}

function checkServing(s, what) {
  assert.match(s.p50.text, /^[\d.]+ (µs|ms)$/, `${what}: p50 "${s.p50.text}" has a unit`);
  assert.match(s.p95.text, /^[\d.]+ (µs|ms)$/);
  assert.ok(s.p50.value > 0 && s.p50.value <= s.p95.value, `${what}: p50 ${s.p50.value} µs, p95 ${s.p95.value} µs`);
  assert.deepEqual(Object.keys(s.perSecond).sort(), ['1', '64', '8']);
  for (const [b, v] of Object.entries(s.perSecond)) {
    assert.ok(v > 0, `${what}: batch ${b}: ${v} per second`);
    // batching side by side: the time per prediction is one call's time over the batch, i.e. 1 / throughput
    const m = /^([\d.]+) (µs|ms)$/.exec(s.perPrediction[b]);
    assert.ok(m, `${what}: batch ${b}: per prediction "${s.perPrediction[b]}"`);
    const us = Number(m[1]) * (m[2] === 'ms' ? 1000 : 1);
    assert.ok(Math.abs(us * v / 1e6 - 1) < 0.06, `${what}: batch ${b}: ${us} µs per prediction vs ${v} per second`);
  }
  assert.match(s.rowsText, /\/s/, 'throughput carries its unit');
  assert.match(s.p50.title, /Median time per prediction at batch 1/, 'the p50 says how it was measured');
}

// "2.40 million" -> 2.4e6; "45,300" -> 45300
function parseCount(text) {
  const m = /([\d.,]+)( million| billion| trillion)?/.exec(text);
  return Number(m[1].replace(/,/g, '')) * ({ ' million': 1e6, ' billion': 1e9, ' trillion': 1e12 }[m[2]] ?? 1);
}

test('digits, pretrained MLP: measure serving shows p50/p95 and batch 1/8/64 with no long task; break-even x FLOPs = training FLOPs', async () => {
  const { page, errors } = await openPage(env.browser, { viewport: { width: 1280, height: 1400 } });
  await page.goto(`${env.origin}/demos/digits/`);
  await waitForValue(page, () => /MLP.*% right on the held-out/.test(document.getElementById('predictor-name').textContent),
    null, { what: 'the pretrained MLP scored on the held-out digits', timeoutMs: 60000 });
  const panel = page.locator('#costs .costs');
  await panel.scrollIntoViewIfNeeded();

  // Training: the build's recipe, counted (5 epochs of 8,000 digits), its time not measured here.
  const recipe = PRETRAIN.mlp;
  const flops = await page.evaluate(async () => {
    const { Model } = await import('/wasm/tinytrain.js');
    const m = await Model.create((await import('/demos/digits/models.js')).PRETRAIN.mlp.spec);
    const f = m.flops;
    m.dispose();
    return f;
  });
  const samples = await field(panel, 'samples');
  assert.equal(samples.value, recipe.epochs * 8000);
  const trainingFlops = await field(panel, 'training-flops');
  assert.equal(trainingFlops.value, recipe.epochs * 8000 * flops.train);
  assert.match(trainingFlops.text, /^[\d.]+ [kMGTP]?FLOP$/);
  assert.equal((await field(panel, 'cpu')).text, 'not measured in this tab');
  assert.match(await panel.locator('[data-cost="training-how"]').textContent(), /trained when this site was built/);
  const perPrediction = await field(panel, 'flops-per-prediction');
  assert.equal(perPrediction.value, flops.forward);

  await watchLongTasks(page);
  const s = await measure(page, panel, 'digits MLP');
  checkServing(s, 'digits MLP');
  await checkLongTasks(page, 'digits: measure serving');

  // Break-even: the count times the FLOPs per prediction is the training's FLOPs, in the raw value and in the
  // words shown (3 significant digits).
  const breakEven = panel.locator('[data-cost="break-even-text"]');
  const count = Number(await breakEven.getAttribute('data-value'));
  assert.ok(Math.abs(count * perPrediction.value - trainingFlops.value) <= 1e-6 * trainingFlops.value);
  const shown = parseCount(await breakEven.textContent());
  console.log(`break-even: ${await breakEven.textContent()}`);
  assert.ok(Math.abs(shown * perPrediction.value / trainingFlops.value - 1) < 0.006, `${shown} predictions shown`);

  // The per-day control: a million a day; the day it happens and the CPU time a day follow from the measurement.
  await panel.locator('[data-cost="per-day"]').fill('1,000,000');
  await waitForValue(page, () => document.querySelector('[data-cost="cpu-per-day"]').dataset.value !== '' &&
    Math.abs(Number(document.querySelector('[data-cost="cpu-per-day"]').dataset.value) -
      1e6 * Number(document.querySelector('[data-cost="p50"]').dataset.value) / 1e6) < 1e-9, null, { what: 'CPU time per day' });
  assert.equal((await field(panel, 'day')).value, Math.max(1, Math.ceil(count / 1e6)));
  assert.match((await field(panel, 'cpu-per-day')).text, /^[\d.]+ (µs|ms|s|min|h)$/);
  // A bad value is refused in words; the last good one stays.
  await panel.locator('[data-cost="per-day"]').fill('lots');
  await waitForValue(page, () => !document.querySelector('[data-cost="per-day-problem"]').hidden, null, { what: 'the message' });
  assert.match(await panel.locator('[data-cost="per-day-problem"]').textContent(), /Predictions per day: expected a number .* got "lots"/);
  assert.equal((await field(panel, 'day')).value, Math.max(1, Math.ceil(count / 1e6)));

  // The API on the same model agrees with the panel. Both are timings on a shared machine: the fastest rounds
  // within a factor 4, the medians (which a busy machine moves more) within a factor 10.
  const api = await page.evaluate(async () => {
    const { Model } = await import('/wasm/tinytrain.js');
    const bytes = new Uint8Array(await (await fetch('/demos/data/generated/digits-mlp.safetensors')).arrayBuffer());
    const m = await Model.load(bytes);
    const input = new Float32Array(784);
    for (let i = 0; i < 784; i++) input[i] = ((i % 28) > 8 && (i % 28) < 18 && i > 200 && i < 600) ? 1 : 0; // a bar
    const r = await m.measureServing({ batches: [1, 8, 64], input });
    m.dispose();
    return r;
  });
  console.log(`Model.measureServing on the page: ${JSON.stringify(api)}`);
  assert.equal(api.flopsPerPrediction, perPrediction.value);
  const near = (a, b, factor, what) => assert.ok(a / b < factor && b / a < factor, `${what}: panel ${a}, API ${b}`);
  near(s.p50.value, api.p50Us, 10, 'p50');
  for (const b of [1, 8, 64]) near(s.perSecond[b], api.perSecond[b], 4, `per second at batch ${b}`);

  // Scale it up: estimates with their formulas beside the toy.
  const scaleTraining = await field(panel, 'scale-training');
  assert.equal(scaleTraining.value, 6 * 7e9 * 2e12);
  assert.match(scaleTraining.title, /Estimate: 6 × N × D/);
  await panel.locator('[data-cost="scale-params"]').fill('70B');
  await waitForValue(page, () => Number(document.querySelector('[data-cost="scale-training"]').dataset.value) === 6 * 70e9 * 2e12,
    null, { what: 'the estimate for 70B parameters' });
  await screenshot(panel, 'costs-digits');
  checkNoErrors(errors);
  await page.close();
});

test('playground: a run of its own is counted (FLOPs, wall and CPU time) and its predictor measured', async () => {
  const { page, errors } = await openPage(env.browser, { viewport: { width: 1280, height: 1600 } });
  await page.goto(`${env.origin}/demos/playground/#steps=300`);
  await waitForValue(page, () => document.getElementById('status').textContent === 'ready', null, { what: 'status "ready"' });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForValue(page, () => /finished/.test(document.getElementById('status').textContent), null,
    { what: 'the run of 300 steps', timeoutMs: 60000 });
  const panel = page.locator('#costs .costs');
  await waitForValue(page, () => document.querySelector('[data-cost="steps"]').dataset.value === '300', null, { what: 'the panel at step 300' });
  const progress = await page.evaluate(() => window.playground.trainer.progress);
  const flops = await field(panel, 'training-flops');
  assert.equal(flops.value, progress.flopsDone);
  const wall = await field(panel, 'wall'), cpu = await field(panel, 'cpu');
  assert.ok(cpu.value > 0 && cpu.value <= wall.value, `CPU ${cpu.value} ms, wall ${wall.value} ms`);
  assert.match(cpu.text, /^[\d.]+ (µs|ms|s)$/);
  await watchLongTasks(page);
  const s = await measure(page, panel, 'playground MLP');
  checkServing(s, 'playground MLP');
  await checkLongTasks(page, 'playground: measure serving');
  const perPrediction = await field(panel, 'flops-per-prediction');
  const count = Number(await panel.locator('[data-cost="break-even-text"]').getAttribute('data-value'));
  assert.ok(Math.abs(count * perPrediction.value / flops.value - 1) < 1e-9);
  const byTime = await field(panel, 'break-even-time');
  assert.ok(Math.abs(byTime.value - (cpu.value / 1000) / (s.p50.value / 1e6)) <= 1e-6 * byTime.value);
  const energy = await field(panel, 'energy-training');
  assert.ok(Math.abs(energy.value - (15 * cpu.value) / 1000 / 3600) < 1e-12, 'the default 15 W times the CPU time');
  await screenshot(panel, 'costs-playground');
  checkNoErrors(errors);
  await page.close();
});

// A host page for the widget from the sources, under the strict CSP the widget promises to work with.
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'";
async function hostPage(page, body) {
  await page.route('**/costs-icon.svg', (route) => route.fulfill({
    contentType: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>',
  }));
  await page.route('**/costs-host.html', (route) => route.fulfill({
    contentType: 'text/html', headers: { 'Content-Security-Policy': CSP },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title><link rel="icon" href="/costs-icon.svg">
<script type="module" src="/web/tiny-train.js"></script></head><body>${body}</body></html>`,
  }));
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(`${env.origin}/costs-host.html`);
  return requests;
}

test('<tiny-train panels="costs"> loads the panel on demand and measures its model; without it, nothing loads', async () => {
  const { page, errors } = await openPage(env.browser, { viewport: { width: 1000, height: 1400 } });
  page.on('console', (m) => { if (/Content Security Policy|Refused/.test(m.text())) errors.push(`csp: ${m.text()}`); });
  const requests = await hostPage(page, '<tiny-train id="w" demo="circles" steps="200" panels="costs" autoplay></tiny-train>');
  const widget = page.locator('#w');
  const panel = widget.locator('.costs');
  await waitForValue(page, () => document.getElementById('w')?.shadowRoot?.querySelector('[data-cost="steps"]')?.dataset.value === '200',
    null, { what: 'the widget trained 200 steps, counted by its panel', timeoutMs: 60000 });
  assert.ok(requests.includes('/web/widget/costs.js'), 'the panel was loaded');
  assert.equal(await panel.getAttribute('class'), 'costs compact');
  assert.ok(!(await panel.locator('details[data-cost="scale"]').getAttribute('open')), 'the estimates are folded in the compact panel');
  const trainingFlops = await field(panel, 'training-flops');
  const progress = await page.evaluate(() => document.getElementById('w').trainer.progress);
  assert.equal(trainingFlops.value, progress.flopsDone);
  await watchLongTasks(page);
  const s = await measure(page, panel, 'widget');
  checkServing(s, 'widget');
  await checkLongTasks(page, 'widget: measure serving');
  await screenshot(widget, 'costs-widget');
  // Attributes changed later take effect: without panels="costs" the rebuilt widget has no panel.
  await page.evaluate(() => document.getElementById('w').removeAttribute('panels'));
  await waitForValue(page, () => !document.getElementById('w').shadowRoot.querySelector('.costs'), null,
    { what: 'the panel gone after panels was removed', timeoutMs: 30000 });
  checkNoErrors(errors);
  await page.close();

  // An unknown panel is named in the widget, which keeps working.
  const odd = await openPage(env.browser);
  await hostPage(odd.page, '<tiny-train id="u" demo="circles" steps="30" panels="costs, charts" autoplay></tiny-train>');
  await waitForValue(odd.page, () => document.getElementById('u')?.shadowRoot?.querySelector('.costs.msg')?.textContent, null,
    { what: 'the message about the unknown panel' });
  assert.equal(await odd.page.locator('#u .costs.msg').textContent(), 'panels: expected one of costs, got "charts"');
  await waitForValue(odd.page, () => document.getElementById('u').trainer?.progress?.step === 30, null,
    { what: 'the widget trained anyway', timeoutMs: 60000 });
  checkNoErrors(odd.errors);
  await odd.page.close();

  // Without the attribute the panel's code is not fetched.
  const plain = await openPage(env.browser);
  const plainRequests = await hostPage(plain.page, '<tiny-train id="p" demo="circles" steps="50" autoplay></tiny-train>');
  await waitForValue(plain.page, () => document.getElementById('p').trainer?.progress?.step === 50, null,
    { what: 'the plain widget trained', timeoutMs: 60000 });
  const panelCode = (p) => /\/(widget|views)\/costs\.js$|\/costs\.js$|\/serving\.js$/.test(p);
  assert.ok(plainRequests.length > 3 && !plainRequests.some(panelCode), plainRequests.join(', '));
  assert.equal(await plain.page.locator('#p .costs').count(), 0);
  checkNoErrors(plain.errors);
  await plain.page.close();
});

test('a lever (another model, e.g. a quantized copy) is measured by the same press and gets its own row', async () => {
  const { page, errors } = await openPage(env.browser);
  await page.goto(`${env.origin}/demos/index.html`);
  await page.evaluate(async () => {
    const { Model } = await import('/wasm/tinytrain.js');
    const { CostPanel } = await import('/web/views/costs.js');
    const spec = { input: [2], layers: [{ type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 3 }], loss: 'cross_entropy' };
    const small = await Model.create(spec);
    const wide = await Model.create({ ...spec, layers: [{ type: 'dense', units: 128 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
    const host = document.createElement('div');
    document.body.append(host);
    const panel = new CostPanel(host, { label: 'Costs under test' });
    panel.setModel(small, { label: '(small)' });
    window.removeLever = panel.addLever({ name: 'a wider copy', model: wide });
  });
  const panel = page.getByRole('region', { name: 'Costs under test' });
  const lever = panel.locator('tr[data-lever="a wider copy"]');
  assert.match(await lever.textContent(), /measure serving/);
  const s = await measure(page, panel, 'lever page');
  checkServing(s, 'lever page');
  await waitForValue(page, () => document.querySelector('tr[data-lever="a wider copy"]')?.dataset.perSecond > 0, null, { what: 'the lever row' });
  assert.match(await lever.textContent(), /^a wider copyp50 [\d.]+ (µs|ms)[\d.,]+( million)?\/s · /);
  await page.evaluate(() => window.removeLever());
  await waitForValue(page, () => !document.querySelector('tr[data-lever]'), null, { what: 'the lever row removed' });
  checkNoErrors(errors);
  await page.close();
});

test('text page, pretrained words GPT: the panel counts tokens; a generated token\'s p50/p95 without a long task; break-even x FLOPs per token = training FLOPs', async () => {
  const { page, errors } = await openPage(env.browser, { viewport: { width: 1280, height: 1400 } });
  await page.goto(`${env.origin}/demos/text/`);
  await waitForValue(page, () => document.body.dataset.ready === '1' || null, null, { what: 'the pretrained words model', timeoutMs: 60000 });
  const panel = page.locator('#costs .costs');
  await panel.scrollIntoViewIfNeeded();
  const { WORDS_GPT_RECIPE } = await import('../../web/text/gpt.js');
  const flops = await page.evaluate(() => { const m = window.textPage.active.model; return { ...m.flops, window: m.inputSize }; });
  const windows = WORDS_GPT_RECIPE.steps * WORDS_GPT_RECIPE.batchSize;
  assert.equal((await field(panel, 'samples')).value, windows * flops.window, 'tokens of the build\'s recipe');
  const trainingFlops = await field(panel, 'training-flops');
  assert.equal(trainingFlops.value, windows * flops.train);
  const perToken = await field(panel, 'flops-per-prediction');
  assert.equal(perToken.value, flops.forward / flops.window);

  await watchLongTasks(page);
  await panel.getByRole('button', { name: 'Measure serving' }).click();
  const p50 = panel.locator('[data-cost="p50"]');
  await waitForValue(page, (el) => el.dataset.value !== '' && !el.closest('.costs').querySelector('[data-cost="measure"]').disabled,
    await p50.elementHandle(), { what: 'the per-token measurement', timeoutMs: 30000 });
  const [p50Us, p95Us] = [(await field(panel, 'p50')).value, (await field(panel, 'p95')).value];
  console.log(`text page: p50 ${p50Us.toFixed(1)} µs per token, p95 ${p95Us.toFixed(1)} µs`);
  assert.ok(p50Us > 0 && p50Us <= p95Us && p50Us < 5000);
  const rows = await panel.locator('[data-cost="batches"] tr[data-batch]').allTextContents();
  assert.match(rows[0], /^1.*tokens?\/s|^1.*\/s/);
  assert.match(rows[1], /^8skipped.*one sequence at a time/);
  await checkLongTasks(page, 'text: measure serving');
  const breakEven = panel.locator('[data-cost="break-even-text"]');
  const count = Number(await breakEven.getAttribute('data-value'));
  assert.ok(Math.abs(count * perToken.value - trainingFlops.value) <= 1e-6 * trainingFlops.value, `${count} tokens`);
  assert.match(await breakEven.textContent(), /tokens/);
  checkNoErrors(errors);
});

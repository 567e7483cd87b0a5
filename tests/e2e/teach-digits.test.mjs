// Issue 21's bugs a first-time reader hit on the Digits page, in Chromium: the prediction time follows the model
// that answers (MLP, then CNN); the Network menu follows a loaded file; Train continues from the model on the pad;
// a run that diverges at once leaves the pad with the last good model; latency never reads 0; the batch size's
// message says the field's limit; the pad draws with the keyboard; the charts are images to assistive technology.
// One browser for the file; no console errors.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startBrowser, openPage, waitForValue } from './helpers.mjs';


let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { await env?.close(); });

const text = (page, id) => page.evaluate((i) => document.getElementById(i).textContent, id);
const checkNoErrors = (errors) => assert.deepEqual(errors, [], `errors on the page:\n${errors.join('\n')}`);

async function openDigits() {
  const { page, context, errors } = await openPage(env.browser, { viewport: { width: 1280, height: 1400 } });
  await page.goto(`${env.origin}/demos/digits/`);
  await waitForValue(page, () => /MLP.*% right on the held-out/.test(document.getElementById('predictor-name').textContent),
    null, { what: 'the pretrained MLP scored on the held-out digits', timeoutMs: 60000 });
  await waitForValue(page, () => !document.getElementById('train').disabled, null, { what: 'the data', timeoutMs: 60000 });
  return { page, context, errors };
}

// "3.1 µs", "120 µs", "1.25 ms" -> µs
function microseconds(s) {
  const m = /([\d.]+) (µs|ms)/.exec(s);
  assert.ok(m, `no time in "${s}"`);
  return Number(m[1]) * (m[2] === 'ms' ? 1000 : 1);
}

async function trainBriefly(page, { epochs = 1 } = {}) {
  await page.fill('#epochs', String(epochs));
  await page.locator('#train').click();
  // Pause enabled: this run has begun (its trainer reset the step count), not the last one's numbers still shown
  await waitForValue(page, () => /your .* in training/.test(document.getElementById('predictor-name').textContent) &&
    !document.getElementById('pause').disabled && Number(document.getElementById('stat-step').textContent) > 0, null,
    { what: 'training to start', timeoutMs: 30000 });
}

test('one prediction\'s time follows the model: the MLP\'s, then the CNN\'s after training the CNN', async () => {
  const { page, context, errors } = await openDigits();
  await trainBriefly(page);
  await waitForValue(page, () => document.getElementById('train').disabled === false, null, { what: 'the MLP run to end', timeoutMs: 60000 });
  const mlp = { us: microseconds(await text(page, 'infer-time')), flops: await text(page, 'infer-flops') };
  await page.selectOption('#model-kind', 'cnn');
  await trainBriefly(page);
  await page.locator('#pause').click();
  // the new model's time is measured a few tasks after it answers the pad (the checks below say what was shown)
  await waitForValue(page, () => /MFLOP/.test(document.getElementById('infer-flops').textContent) &&
    Number(document.getElementById('infer-time').dataset.flops) > 1e6, null,
    { what: 'the CNN\'s prediction time', timeoutMs: 10000 }).catch(() => {});
  const cnn = { us: microseconds(await text(page, 'infer-time')), flops: await text(page, 'infer-flops') };
  console.log(`one prediction: MLP ${mlp.us} µs (${mlp.flops}), CNN ${cnn.us} µs (${cnn.flops})`);
  assert.match(cnn.flops, /MFLOP/);
  assert.ok(cnn.us > 2 * mlp.us, `the CNN (${cnn.flops}) shows ${cnn.us} µs, the MLP (${mlp.flops}) ${mlp.us} µs`);
  const measuredFor = await page.evaluate(() => Number(document.getElementById('infer-time').dataset.flops));
  assert.ok(measuredFor > 1e6, `the time shown was measured on a ${measuredFor}-FLOP model, not the CNN`);
  const latency = await text(page, 'latency');
  assert.doesNotMatch(latency, /(^|[^.\d])0 µs/, latency);
  await context.close();
  checkNoErrors(errors);
});

test('a loaded CNN file shows CNN in the Network menu; Train continues from the model on the pad', async () => {
  const { page, context, errors } = await openDigits();
  const cnn = await readFile(new URL('../../demos/data/generated/digits-cnn.safetensors', import.meta.url));
  await page.locator('#load-file').setInputFiles({ name: 'digits-cnn.safetensors', mimeType: 'application/octet-stream', buffer: cnn });
  await waitForValue(page, () => /weights from digits-cnn\.safetensors/.test(document.getElementById('predictor-name').textContent),
    null, { what: 'the CNN file to answer' });
  assert.equal(await page.inputValue('#model-kind'), 'cnn', 'the Network menu still says MLP');
  // Back to the pretrained MLP; a tiny learning rate barely moves the weights, so a run that continues from them
  // keeps their held-out accuracy, and one from random weights cannot reach it.
  await page.selectOption('#model-kind', 'mlp');
  await page.getByRole('button', { name: 'Use pretrained model' }).click();
  await waitForValue(page, () => /pretrained MLP.*% right/.test(document.getElementById('predictor-name').textContent), null,
    { what: 'the pretrained MLP' });
  await page.fill('#lr', '0.00001');
  await page.fill('#epochs', '1');
  await page.locator('#train').click();
  await waitForValue(page, () => Number(document.getElementById('test-accuracy').dataset.value) > 0 &&
    !document.getElementById('train').disabled, null, { what: 'the run and its held-out accuracy', timeoutMs: 60000 });
  const acc = Number(await page.evaluate(() => document.getElementById('test-accuracy').dataset.value));
  console.log(`held-out accuracy after continuing at lr 1e-5: ${acc}; ${await text(page, 'predictor-name')}`);
  assert.ok(acc > 0.9, `Train started over: held-out accuracy ${acc}`);
  assert.match(await text(page, 'predictor-name'), /continued from the pretrained MLP/);
  await context.close();
  checkNoErrors(errors);
});

test('a run that diverges at once leaves the pad with the last good model, not random weights', async () => {
  const { page, context, errors } = await openDigits();
  await page.selectOption('#optimizer', 'sgd');
  await page.fill('#lr', '1000');
  await page.locator('#train').click();
  await waitForValue(page, () => /went wrong|diverged/.test(document.getElementById('message').textContent), null,
    { what: 'the divergence message', timeoutMs: 30000 });
  console.log(`divergence: ${await text(page, 'message')}`);
  await waitForValue(page, () => /pretrained MLP.*% right/.test(document.getElementById('predictor-name').textContent), null,
    { what: 'the pretrained MLP back on the pad, scored', timeoutMs: 30000 });
  const acc = Number(await page.evaluate(() => document.getElementById('gallery-status').dataset.accuracy));
  assert.ok(acc > 0.9, `the pad's model gets ${acc} of the held-out digits right`);
  await context.close();
  checkNoErrors(errors);
});

test('a batch size over the field\'s limit says the limit in plain words', async () => {
  const { page, context, errors } = await openDigits();
  await page.fill('#batch', '100000');
  await page.locator('#train').click();
  await waitForValue(page, () => !document.getElementById('message').hidden, null, { what: 'the message' });
  const msg = await text(page, 'message');
  console.log(`batch size: ${msg}`);
  assert.match(msg, /^Batch size: a whole number from 1 to 1024, got "100000"$/);
  await context.close();
  checkNoErrors(errors);
});

test('the pad draws with the keyboard, and the charts are images with names', async () => {
  const { page, context, errors } = await openDigits();
  await page.focus('#pad');
  // A "1": pen down near the top centre, straight down, pen up.
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Space');
  for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  await waitForValue(page, () => document.getElementById('prediction').dataset.strokes === '1', null, { what: 'the keyboard stroke answered' });
  const digit = await page.evaluate(() => document.getElementById('prediction').dataset.digit);
  console.log(`keyboard-drawn stroke read as ${digit}`);
  assert.equal(digit, '1');
  await page.keyboard.press('Delete');
  assert.equal(await text(page, 'prediction'), '?', 'Delete clears the pad');
  for (const id of ['loss-chart', 'acc-chart']) {
    assert.equal(await page.getAttribute(`#${id}`, 'role'), 'img', `#${id} has no role`);
  }
  assert.match(await page.getAttribute('#pad', 'aria-label'), /keyboard/);
  await context.close();
  checkNoErrors(errors);
});

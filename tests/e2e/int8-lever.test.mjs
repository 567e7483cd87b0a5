// The int8 lever of the digits page's cost panel (demos/digits/int8-lever.js) in headless Chromium, as a reader
// uses it: with the pretrained MLP and a held-out digit drawn on the pad, "int8 weights" shows the weights ~4x
// smaller, batch-1 latency of both with units, held-out accuracy of both within 0.5 points, and the pad answers
// with the int8 model (and still gets the digit right); turned off, the pad is back on float weights and the int8
// numbers go. The lesson trains a fresh MLP for a few steps in a worker, quantizes it and shows it fast and
// wrong beside the trained one. No long tasks; no console errors. One browser for the file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, screenshot, waitForValue, watchLongTasks, checkLongTasks, drawImage } from './helpers.mjs';
import { loadMnistNode } from '../../tools/mnist-data.mjs';

const heldOut = loadMnistNode('test');

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { if (env) await env.close(); });

// A value of the lever: its text, raw number (data-value) and tooltip.
async function field(page, name) {
  return page.evaluate((n) => {
    const el = document.querySelector(`[data-int8="${n}"]`);
    return { text: el.textContent, value: el.dataset.value === '' ? NaN : Number(el.dataset.value), title: el.title };
  }, name);
}

const prediction = (page) => page.evaluate(() => ({ ...document.getElementById('prediction').dataset,
  text: document.getElementById('prediction').textContent, latency: document.getElementById('latency').textContent }));

test('digits page: int8 lever on and off with the pretrained MLP; the lesson shows a few-step model fast and wrong', async () => {
  const { page, errors } = await openPage(env.browser, { viewport: { width: 1280, height: 1400 } });
  await page.goto(`${env.origin}/demos/digits/`);
  await waitForValue(page, () => /MLP.*% right on the held-out/.test(document.getElementById('predictor-name').textContent),
    null, { what: 'the pretrained MLP scored on the held-out digits', timeoutMs: 60000 });

  // a held-out digit the pretrained MLP gets right (digit 0 of the test split is a 7)
  const label = heldOut.y[0];
  await drawImage(page, '#pad', heldOut.x.subarray(0, 784), { ink: 0.5 });
  await waitForValue(page, () => document.getElementById('prediction').dataset.digit !== '', null, { what: 'a prediction' });
  const before = await prediction(page);
  assert.equal(before.weights, 'float32');
  assert.equal(Number(before.digit), label, `the float model reads the drawn ${label}`);

  const lever = page.getByRole('checkbox', { name: 'int8 weights for the pad' });
  await lever.scrollIntoViewIfNeeded();
  assert.equal(await lever.isEnabled(), true, 'the lever is offered on the pretrained model');
  await watchLongTasks(page);
  await lever.check();
  await waitForValue(page, () => document.querySelector('[data-int8="how"]').dataset.done === '1', null,
    { what: 'the int8 lever\'s measurements', timeoutMs: 60000 });

  // the pad answers with the int8 copy, and still reads the digit
  const on = await prediction(page);
  assert.equal(on.weights, 'int8', 'the pad predicts with the quantized model');
  assert.equal(Number(on.digit), label);
  assert.match(on.latency, /^One prediction with int8 weights: [\d.]+ µs/);

  const f32Bytes = await field(page, 'f32-bytes'), int8Bytes = await field(page, 'int8-bytes');
  console.log(`weights: ${f32Bytes.text} -> ${int8Bytes.text}`);
  assert.match(f32Bytes.text, /^[\d.]+ (kB|MB)$/);
  assert.match(int8Bytes.text, /^[\d.]+ (kB|MB) \([\d.]+× smaller\)$/);
  assert.equal(f32Bytes.value, 4 * 101770, 'the MLP 784-128-10 has 101,770 float parameters');
  assert.ok(int8Bytes.value > f32Bytes.value / 4.2 && int8Bytes.value < f32Bytes.value / 3.5,
    `int8 weights ${int8Bytes.value} bytes vs ${f32Bytes.value}: about 4x smaller`);

  const f32Us = await field(page, 'f32-us'), int8Us = await field(page, 'int8-us');
  console.log(`latency: float ${f32Us.text}, int8 ${int8Us.text}`);
  assert.match(f32Us.text, /^[\d.]+ (µs|ms)$/);
  assert.match(int8Us.text, /^[\d.]+ (µs|ms) \([\d.]+× (faster|slower)\)$/);
  assert.ok(f32Us.value > 0 && int8Us.value > 0);

  const f32Acc = await field(page, 'f32-accuracy'), int8Acc = await field(page, 'int8-accuracy');
  console.log(`held-out accuracy: float ${f32Acc.text}, int8 ${int8Acc.text}`);
  assert.match(f32Acc.text, /^[\d.]+%$/);
  assert.match(int8Acc.text, /^[\d.]+% \([+−][\d.]+ points\)$/);
  assert.ok(f32Acc.value > 0.9, `the pretrained MLP scores ${f32Acc.value}`);
  assert.ok(Math.abs(int8Acc.value - f32Acc.value) <= 0.005, `int8 ${int8Acc.value} vs float ${f32Acc.value}: within 0.5 points`);
  // the page's own held-out count of the float model agrees with the gallery's
  const gallery = await page.evaluate(() => document.getElementById('predictor-name').textContent);
  assert.ok(gallery.includes(`${(100 * f32Acc.value).toFixed(2)}% right`), `"${gallery}" vs ${f32Acc.text}`);
  for (const f of [f32Bytes, int8Bytes, f32Us, int8Us, f32Acc, int8Acc]) assert.ok(f.title.length > 30, `"${f.text}" has a tooltip`);

  // the cost panel measures the int8 copy as a row of its own
  await page.getByRole('button', { name: 'Measure serving' }).click();
  await waitForValue(page, () => document.querySelector('#costs tr[data-lever="int8 weights"]')?.dataset.perSecond > 0, null,
    { what: 'the int8 row of the serving table', timeoutMs: 60000 });
  const rowTitles = await page.evaluate(() => [...document.querySelector('#costs tr[data-lever="int8 weights"]').cells]
    .filter((c) => c.textContent).map((c) => [c.textContent, c.title]));
  for (const [cell, title] of rowTitles.slice(1)) assert.ok(title.length > 20, `the int8 row's "${cell}" has a tooltip`);
  await screenshot(page.locator('#costs'), 'int8-lever-on');
  await checkLongTasks(page, 'int8 lever on');

  // off: back to float weights, the int8 numbers and row gone
  await lever.uncheck();
  await waitForValue(page, () => document.getElementById('prediction').dataset.weights === 'float32', null,
    { what: 'the pad back on float weights' });
  const off = await prediction(page);
  assert.equal(Number(off.digit), label);
  assert.match(off.latency, /^One prediction: [\d.]+ µs/);
  for (const name of ['int8-bytes', 'int8-us', 'int8-accuracy']) assert.equal((await field(page, name)).text, '–', name);
  assert.equal((await field(page, 'f32-accuracy')).value, f32Acc.value, 'the float numbers stay');
  await waitForValue(page, () => !document.querySelector('#costs tr[data-lever]'), null, { what: 'the int8 row removed' });

  // the lesson: a fresh MLP trained for a few steps in a worker, quantized, beside the pad's model quantized
  await watchLongTasks(page);
  await page.getByRole('button', { name: /Compare with a model trained for \d+ steps/ }).click();
  await waitForValue(page, () => document.querySelector('[data-int8="lesson-how"]').dataset.done === '1' ||
    /Could not/.test(document.querySelector('[data-int8="lesson-how"]').textContent), null,
  { what: 'the lesson\'s comparison', timeoutMs: 90000 });
  const lesson = await page.evaluate(() => {
    const row = (name) => { const tr = document.querySelector(`[data-int8="${name}"]`);
      return { ...tr.dataset, cells: [...tr.querySelectorAll('td')].map((td) => td.textContent), titles: [...tr.querySelectorAll('td')].map((td) => td.title) }; };
    return { early: row('early'), trained: row('trained'), how: document.querySelector('[data-int8="lesson-how"]').textContent };
  });
  console.log(`lesson: ${JSON.stringify(lesson)}`);
  assert.doesNotMatch(lesson.how, /Could not/);
  const early = Number(lesson.early.accuracy), trained = Number(lesson.trained.accuracy);
  assert.ok(early < 0.7 && trained > 0.9 && trained - early > 0.25, `few steps ${early} vs trained ${trained}`);
  assert.ok(Math.abs(trained - f32Acc.value) <= 0.005, `the trained model quantized: ${trained} vs float ${f32Acc.value}`);
  assert.ok(Number(lesson.early.p50) > 0 && Number(lesson.trained.p50) > 0);
  assert.equal(lesson.trained.cells[0], '625', 'the pretrained MLP: 5 epochs of 125 steps');
  for (const r of [lesson.early, lesson.trained]) {
    assert.match(r.cells[1], /^[\d.]+ (µs|ms)$/);
    assert.match(r.cells[2], /^[\d,]+\/s$/);
    assert.match(r.cells[3], /^[\d.]+%$/);
    assert.ok(r.titles.every((t) => t.length > 10), 'every number has a tooltip');
  }
  await screenshot(page.locator('#costs'), 'int8-lesson');
  await checkLongTasks(page, 'int8 lesson');
  assert.deepEqual(errors, [], `errors on the page:\n${errors.join('\n')}`);
  await page.close();
});

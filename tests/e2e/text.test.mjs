// The text page (demos/text/) in headless Chromium, through what a reader does: the pretrained words model answers
// the prefix box before anything is trained (bars within one frame of a keystroke, token chips with ids, unknown
// characters marked, Continue streams with µs per token, the attention map follows the text); Download/Load weights
// (a file of another size switches the page to it; a file that is not a language model is explained); one 60 s
// training run on the words corpus (held-out <= 2.15 nats per character, ~5% of sampled words real, no long
// tasks) shared by the worker-kill check and best of N; BPE learning with its progress bar; bad own text (empty,
// binary, 50 MB); the phone viewport. One browser for the file.
import test from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { startBrowser, openPage, waitForValue, screenshot, watchLongTasks, checkLongTasks } from './helpers.mjs';
import { Model } from '../../wasm/tinytrain.js';
import { gptSpec } from '../../web/text/gpt.js';
import { WORDS_VOCABULARY } from '../../web/words.js';

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { await env?.close(); });

const overloaded = () => os.loadavg()[0] > 1.5 * os.cpus().length;
// The worker's steps in 60 s on a quiet 2-core machine (bench/README.md: 2,000 steps of the words GPT in 40 s).
const QUIET_STEPS = 3000;

// watch: the page's main thread is traced from before it loads, for checkLongTasks.
async function openText(options = {}, hash = '', { watch = false } = {}) {
  const opened = await openPage(env.browser, options);
  if (watch) await watchLongTasks(opened.page);
  await opened.page.goto(`${env.origin}/demos/text/${hash}`);
  await waitForValue(opened.page, () => document.body.dataset.ready === '1', null, { what: 'the page to be ready', timeoutMs: 30000 });
  return opened;
}

// Types into the prefix box with the keyboard; resolves with, for each keystroke, whether the bars answered the
// box's text (as it is then: keys may come faster than frames) by the next animation frame.
async function typeAndCheckFrames(page, text) {
  await page.evaluate(() => {
    window.__frames = [];
    document.getElementById('prefix').addEventListener('input', (e) => {
      requestAnimationFrame(() => window.__frames.push(document.getElementById('next-bars').dataset.prefix === e.target.value));
    });
  });
  await page.locator('#prefix').click();
  await page.keyboard.type(text);
  await waitForValue(page, (n) => window.__frames.length >= n, text.length, { what: 'a frame after each keystroke' });
  return page.evaluate(() => window.__frames);
}

const barLabels = (page) => page.$$eval('#next-bars .row:not([hidden]) .label', (els) => els.map((e) => e.textContent));

test('the pretrained words model answers: bars within a frame of each keystroke, chips, unknown characters, Continue, attention', async (t) => {
  const { page, context, errors } = await openText({}, '', { watch: true });
  await t.test('loading makes no main-thread task over 50 ms of CPU', () => checkLongTasks(page, 'text page, loading'));
  await watchLongTasks(page);
  assert.match(await page.textContent('#predictor-name'), /pretrained words model/);
  const frames = await typeAndCheckFrames(page, 'th');
  assert.deepEqual(frames, [true, true], 'the bars did not answer within one frame of a keystroke');
  const labels = await barLabels(page);
  assert.equal(labels.length, 8);
  const chips = await page.$$eval('#chips .chip', (els) => els.map((e) => e.textContent));
  assert.deepEqual(chips, ['⏎0', 't20', 'h8'], 'the chips show each token and its id');
  // After "th" a words model expects a vowel or r/y: the best bar is one of them.
  assert.match(labels[0], /^[aeiouyr]$/, `after "th" the most likely next letter is ${labels[0]}`);
  // attention of the typed text: 3 tokens, two layers of four heads in the small GPT
  assert.equal(await page.getAttribute('#attention', 'data-tokens'), '3');
  assert.equal(await page.locator('#layer option').count(), 2);
  assert.equal(await page.locator('#head option').count(), 4);
  await page.selectOption('#head', '2');
  assert.equal(await page.getAttribute('#attention', 'data-tokens'), '3');

  // characters outside the vocabulary: marked, left out, never a crash
  await page.keyboard.type('É1');
  await waitForValue(page, () => document.getElementById('chips').dataset.prefix === 'thÉ1', null, { what: 'chips of "thÉ1"' });
  assert.equal(await page.locator('#chips .chip.unknown').count(), 2);
  assert.match(await page.textContent('#chips-note'), /Not in this model's vocabulary, left out: "É" "1"/);
  assert.equal(await page.getAttribute('#next-bars', 'data-prefix'), 'thÉ1');
  assert.equal((await barLabels(page)).length, 8);

  // Continue streams token by token and says what a token costs
  await page.getByRole('button', { name: 'Continue' }).click();
  await waitForValue(page, () => document.getElementById('continuation').dataset.done === 'finished', null,
    { what: 'the continuation to finish', timeoutMs: 20000 });
  assert.equal(await page.getAttribute('#continuation', 'data-tokens'), '200');
  const stats = await page.textContent('#gen-stats');
  assert.match(stats, /^200 tokens: [\d.]+ (µs|ms) per token, [\d,]+ tokens\/s on this page/);
  const us = Number(await page.getAttribute('#gen-stats', 'data-us-per-token'));
  assert.ok(us > 0 && us < 5000, `µs per token: ${us}`);
  console.log(`pretrained words model on the page: ${stats}`);
  assert.match(await page.textContent('#continuation'), /^[a-z\n]+$/);
  // the sample strip keeps drawing from the model
  const count = Number(await page.getAttribute('#samples', 'data-count'));
  await waitForValue(page, (c) => Number(document.getElementById('samples').dataset.count) > c, count, { what: 'a new sample strip' });
  assert.ok((await page.locator('#samples li').count()) >= 3);
  await checkLongTasks(page, 'text page, pretrained: typing, Continue, samples');
  await screenshot(page, 'text-pretrained');
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

test('Download and Load weights: the round trip answers the same; a tiny model switches the size; a bad file is explained', async () => {
  const { page, context, errors } = await openText();
  await page.locator('#prefix').fill('qu');
  const before = await barLabels(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download weights' }).click()]);
  assert.equal(download.suggestedFilename(), 'text-words-characters.safetensors');
  const bytes = await readFile(await download.path());
  await page.locator('#load-file').setInputFiles({ name: 'mine.safetensors', mimeType: 'application/octet-stream', buffer: bytes });
  await waitForValue(page, () => /Loaded mine\.safetensors/.test(document.getElementById('message').textContent), null, { what: 'the load message' });
  assert.deepEqual(await barLabels(page), before);
  assert.match(await page.textContent('#predictor-name'), /weights from mine\.safetensors/);

  // a model of another size, made by the same code outside the page
  const tiny = await Model.create(gptSpec({ vocab: WORDS_VOCABULARY.length, size: 'tiny' }));
  tiny.setVocabulary(WORDS_VOCABULARY);
  await page.locator('#load-file').setInputFiles({ name: 'tiny.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(tiny.save()) });
  await waitForValue(page, () => /Loaded tiny\.safetensors/.test(document.getElementById('message').textContent), null, { what: 'tiny loaded' });
  assert.equal(await page.inputValue('#size'), 'tiny');
  assert.equal(await page.locator('#head option').count(), 2);
  // a model without a vocabulary: not a text model this page can read
  tiny.setVocabulary(null);
  await page.locator('#load-file').setInputFiles({ name: 'novocab.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(tiny.save()) });
  await waitForValue(page, () => /cannot use that model: it has no vocabulary/.test(document.getElementById('message').textContent), null, { what: 'the no-vocabulary message' });
  tiny.dispose();
  await page.locator('#load-file').setInputFiles({ name: 'junk.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not a weight file') });
  await waitForValue(page, () => /junk\.safetensors is not a weights file/.test(document.getElementById('message').textContent), null, { what: 'the junk-file message' });
  // the last good model still answers
  await page.locator('#prefix').fill('a');
  assert.equal(await page.getAttribute('#next-bars', 'data-prefix'), 'a');
  assert.match(await page.textContent('#predictor-name'), /tiny\.safetensors/);
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

test('words corpus, default model: 60 s of training in the worker reach held-out <= 2.15 nats/char and >= 5% real words; a killed worker restarts', async () => {
  const { page, context, errors } = await openText();
  await page.locator('#prefix').fill('th');
  await watchLongTasks(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const wall = (ms) => waitForValue(page, (m) => Number(document.getElementById('stat-wall').dataset.ms) >= m, ms,
    { what: `${ms / 1000} s of training`, timeoutMs: ms + 120000 });
  await wall(10000);
  await checkLongTasks(page, 'text page, pressing Train and 10 s of training');
  // mid-training: the worker is killed; it restarts from the last snapshot and the prefix box keeps answering
  const killed = await page.evaluate(() => {
    const t = window.textPage.trainer;
    t.worker.terminate();
    return { step: t.lastSnapshot.step, weights: Array.from(t.predictor.getWeights().subarray(0, 64)) };
  });
  await waitForValue(page, () => /training worker failed/.test(document.getElementById('message').textContent), null, { what: 'the failure message' });
  await page.locator('#prefix').fill('qu');
  assert.equal(await page.getAttribute('#next-bars', 'data-prefix'), 'qu');
  await waitForValue(page, () => /worker was restarted from the last snapshot/.test(document.getElementById('message').textContent),
    null, { what: 'the restart', timeoutMs: 60000 });
  const restored = await page.evaluate(() => Array.from(window.textPage.trainer.predictor.getWeights().subarray(0, 64)));
  assert.deepEqual(restored, killed.weights, 'the predictor lost the last snapshot');
  await watchLongTasks(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForValue(page, (s) => Number(document.getElementById('stat-step').textContent.replace(/,/g, '')) > s + 50,
    killed.step, { what: `training on past step ${killed.step}`, timeoutMs: 30000 });
  console.log(`killed after the snapshot of step ${killed.step}; the new worker trained on from it`);
  await page.waitForTimeout(5000);
  await checkLongTasks(page, 'text page, the restarted worker training');

  await wall(60000);
  await page.getByRole('button', { name: 'Pause' }).click();
  // Pausing first evaluates the model on its training and held-out windows: seconds when the machine is busy.
  await waitForValue(page, () => !document.getElementById('train').disabled, null, { what: 'paused', timeoutMs: 60000 });
  let heldout = Number(await page.getAttribute('#stat-heldout', 'data-value'));
  let step = Number((await page.textContent('#stat-step')).replace(/,/g, ''));
  console.log(`60 s of training: step ${step}, held-out ${heldout.toFixed(3)} nats/char, ${await page.textContent('#stat-rate')} tokens/s`);
  if (heldout > 2.15 && overloaded() && step < QUIET_STEPS) {
    // A descheduled worker does fewer steps in 60 s: the steps a quiet machine makes in 60 s stand for them.
    console.log(`the machine is overloaded: the 60 s bound is not checked; training on to step ${QUIET_STEPS}`);
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await waitForValue(page, (n) => Number(document.getElementById('stat-step').textContent.replace(/,/g, '')) >= n, QUIET_STEPS,
      { what: `step ${QUIET_STEPS}`, timeoutMs: 480000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    await waitForValue(page, () => !document.getElementById('train').disabled, null, { what: 'paused', timeoutMs: 60000 });
    heldout = Number(await page.getAttribute('#stat-heldout', 'data-value'));
    step = Number((await page.textContent('#stat-step')).replace(/,/g, ''));
    console.log(`step ${step}: held-out ${heldout.toFixed(3)} nats/char`);
  }
  assert.ok(heldout <= 2.15, `held-out loss ${heldout} nats per character (limit 2.15) at step ${step}`);
  assert.match(await page.textContent('#stat-bits'), /^\d\.\d{3}$/);

  // best of N: the picks at N = 1 are words sampled at temperature 1, each after the ones before (lines of a stream)
  await page.getByRole('button', { name: 'Measure N = 1, 4, 16' }).click();
  await waitForValue(page, () => document.getElementById('best-table').dataset.done === '1', null,
    { what: 'the best-of-N measurement', timeoutMs: 120000 });
  const cells = await page.$$eval('#best-table tbody tr', (rows) => rows.map((r) =>
    [...r.querySelectorAll('td')].map((td) => ({ share: Number(td.dataset.share), letters: Number(td.dataset.letters) }))));
  const shares = cells.map((row) => row.map((c) => c.share));
  console.log(`real words at N = 1, 4, 16: now ${await page.textContent('#best-table tr[data-model="now"]')}; ` +
    `barely trained ${await page.textContent('#best-table tr[data-model="early"]')}`);
  // The bar (5%) is the recipe's mean, not a floor: the pretrained model (2,000 steps) writes 5.0-5.2% real
  // words in 3,000 lines, and runs of the same recipe to a held-out loss <= 2.15 have given 3.4-6.8% of 1,000 on
  // this page (bench/README.md, "Real words in samples"). So a run fails only when it is clearly below 4%: the 95%
  // interval of its share must reach 4%.
  const picks = Number(await page.getAttribute('#best-table tr[data-model="now"] td', 'data-picks'));
  const p = shares[0][0], upper = p + 1.96 * Math.sqrt((p * (1 - p)) / picks);
  console.log(`words sampled at temperature 1: ${(100 * p).toFixed(1)}% of ${picks} are corpus words (95% interval up to ${(100 * upper).toFixed(1)}%)`);
  assert.ok(upper >= 0.04, `${(100 * p).toFixed(1)}% of ${picks} words sampled at temperature 1 are corpus words: ` +
    `clearly below 4% (95% interval up to ${(100 * upper).toFixed(1)}%)`);
  assert.ok(cells.flat().every((c) => Number.isFinite(c.share) && c.letters > 0), 'both models were measured at every N');
  // keeping the most probable of 16 draws picks more real words than one draw, for the trained model
  assert.ok(shares[0][2] > shares[0][0], `best of 16 ${shares[0][2]} vs one draw ${shares[0][0]}`);
  assert.match(await page.textContent('#best-note'), /step \d+/);
  await page.getByRole('button', { name: 'Draw', exact: true }).click();
  assert.equal(await page.locator('#best-list li').count(), 4);
  assert.match(await page.textContent('#best-cost'), /^4 draws: \d+ tokens/);
  await screenshot(page, 'text-trained');
  assert.deepEqual(errors.filter((e) => !/terminated/.test(e)), [], errors.join('\n'));
  await context.close();
});

test('BPE: 256 merges are learned in the worker behind a progress bar; the model then reads longer tokens', async () => {
  const { page, context, errors } = await openText({}, '#tok=bpe256');
  await page.evaluate(() => {
    window.__phases = [];
    const bar = document.getElementById('prepare-status');
    new MutationObserver(() => {
      if (!bar.hidden) window.__phases.push({ phase: bar.dataset.phase, value: document.getElementById('prepare-progress').value, t: performance.now() });
    }).observe(bar, { attributes: true, subtree: true, childList: true, characterData: true });
  });
  await page.getByRole('button', { name: 'Step' }).click();
  await waitForValue(page, () => window.textPage.source === 'training' && window.textPage.active?.tokenizer.kind === 'bpe', null,
    { what: 'the BPE model to answer', timeoutMs: 60000 });
  const phases = await page.evaluate(() => window.__phases);
  const merges = phases.filter((p) => p.phase === 'merges');
  assert.ok(merges.length >= 2, `the progress bar showed the merges being learned: ${JSON.stringify(phases.slice(0, 5))}`);
  assert.ok(merges.some((p) => p.value > 0 && p.value < 1), 'the bar moved while learning');
  const seconds = (merges.at(-1).t - merges[0].t) / 1000;
  console.log(`256 merges learned in about ${seconds.toFixed(1)} s (as the page saw the bar)`);
  if (!overloaded()) assert.ok(seconds <= 5, `learning 256 merges took ${seconds} s (limit 5 s)`);
  await page.locator('#prefix').fill('thinking');
  const chips = await page.$$eval('#chips .chip .piece', (els) => els.map((e) => e.textContent));
  assert.ok(chips.length < 1 + 'thinking'.length, `BPE shortens the prefix: ${chips.join(' ')}`);
  await waitForValue(page, () => /byte-pair tokens/.test(document.getElementById('tokens-summary').textContent), null,
    { what: 'the tokenization summary of the BPE model' });
  const cpt = Number(await page.getAttribute('#tokens-summary', 'data-chars-per-token'));
  assert.ok(cpt > 1.3, `characters per token on the training text: ${cpt}`);
  const summary = await page.textContent('#tokens-summary');
  console.log(summary);
  const cheaper = Number(/each character ([\d.]+) times cheaper/.exec(summary)?.[1]);
  assert.ok(cheaper > 1, `BPE makes a character cheaper to read: ${summary}`);
  assert.equal(await page.getAttribute('#next-bars', 'data-prefix'), 'thinking');
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

test('bad own text: an empty paste, a binary file and a 50 MB file get a plain message; the model keeps answering', async () => {
  const { page, context, errors } = await openText({}, '#corpus=own');
  const message = () => page.textContent('#message');
  const train = () => page.getByRole('button', { name: 'Train', exact: true }).click();
  await train();
  await waitForValue(page, () => /empty/.test(document.getElementById('message').textContent), null, { what: 'the empty-text message' });
  assert.match(await message(), /Your own text is empty/);
  const folder = await mkdtemp(path.join(os.tmpdir(), 'tinytrain-text-'));
  const big = path.join(folder, 'big.txt'); // playwright passes files over 50 MB by path only
  await writeFile(big, Buffer.alloc(50 * 1024 * 1024, 'the cat sat on the mat\n'));
  await page.locator('#own-file').setInputFiles(big);
  await rm(folder, { recursive: true });
  await train();
  await waitForValue(page, () => /big\.txt is 50\.0 MB/.test(document.getElementById('message').textContent), null, { what: 'the too-big message' });
  assert.match(await message(), /at most 10 MB/);
  const binary = Buffer.alloc(4096);
  for (let i = 0; i < binary.length; i++) binary[i] = (i * 37 + 11) % 256;
  await page.locator('#own-file').setInputFiles({ name: 'photo.txt', mimeType: 'text/plain', buffer: binary });
  await train();
  await waitForValue(page, () => /model on the page keeps answering/.test(document.getElementById('message').textContent) &&
    !document.getElementById('train').disabled, null, { what: 'the binary-file message', timeoutMs: 30000 });
  console.log(`binary file: ${await message()}`);
  assert.doesNotMatch(await message(), /undefined|\[object/);
  await page.locator('#prefix').fill('wh');
  assert.equal(await page.getAttribute('#next-bars', 'data-prefix'), 'wh');
  assert.match(await page.textContent('#predictor-name'), /pretrained words model/);
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

test('phone viewport 390x844: no horizontal scrolling; the prefix box and Train on the first screen', async () => {
  const { page, context, errors } = await openText({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  await page.locator('#prefix').tap();
  await page.keyboard.type('st');
  const layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    prefix: document.getElementById('prefix').getBoundingClientRect().bottom,
    train: document.getElementById('train').getBoundingClientRect().bottom,
  }));
  console.log(`phone: ${JSON.stringify(layout)}`);
  assert.ok(layout.scrollWidth <= 390, `the page is ${layout.scrollWidth} px wide`);
  assert.ok(layout.prefix <= 844, `the prefix box ends at ${layout.prefix} px`);
  assert.ok(layout.train <= 844, `Train ends at ${layout.train} px`);
  await screenshot(page, 'text-phone');
  assert.deepEqual(errors, [], errors.join('\n'));
  await context.close();
});

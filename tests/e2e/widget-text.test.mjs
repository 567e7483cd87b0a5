// <tiny-train demo="text"> in Chromium, embedded as a documentation site would (tests/e2e/widget-host.mjs: a fresh
// dist build, the words corpus in dist/data/, a strict CSP header). A widget starting from the pretrained words GPT
// answers at once: next-token bars for its prefix, the prefix as tokens (a character outside the vocabulary
// marked), a streamed continuation with its cost per token, and lines sampled from it; a widget trains a GPT from
// scratch in its worker; a same-origin .txt trains one on its own text; bad sources give messages. No console
// errors, uncaught exceptions or CSP violations on any page.
import test from 'node:test';
import assert from 'node:assert/strict';
import { screenshot, waitForValue } from './helpers.mjs';
import { startWidgetHost, eventOf } from './widget-host.mjs';
import { BUDGETS } from '../../tools/dist.mjs';

const OWN_TEXT = 'Le café est très bon. The tea is good too.\n'.repeat(40);
const PAGES = {
  'text-pretrained': '<tiny-train id="p" demo="text" src="/demos/data/generated/words-gpt.safetensors" prefix="th" steps="40"></tiny-train>',
  'text-train': '<tiny-train id="t" demo="text" size="tiny" steps="60" seed="3"></tiny-train>',
  'text-own': '<tiny-train id="o" demo="text" size="tiny" src="/tests/e2e/host/cafe.txt" steps="20"></tiny-train>',
  'text-bad': `<tiny-train id="poems" demo="text" corpus="poems" size="tiny" steps="5"></tiny-train>
<tiny-train id="missing" demo="text" src="/tests/e2e/host/missing.txt"></tiny-train>
<tiny-train id="binary" demo="text" src="/tests/e2e/host/binary.txt"></tiny-train>`,
};
const FILES = {
  '/tests/e2e/host/cafe.txt': OWN_TEXT,
  '/tests/e2e/host/binary.txt': Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 256)),
};

let host;
test.before(async () => { host = await startWidgetHost({ dist: '/tests/artifacts/widget-text-dist', pages: PAGES, files: FILES, text: true }); });
test.after(async () => { await host?.close(); });

const inShadow = (page, id, fn, arg) => page.evaluate(([i, f, a]) => new Function('root', 'arg', `return (${f})(root, arg)`)(
  document.getElementById(i).shadowRoot, a), [id, fn.toString(), arg]);
const bars = (page, id) => inShadow(page, id, (root) => [...root.querySelectorAll('.tx-top .row')]
  .map((r) => ({ token: r.querySelector('.label').textContent, percent: parseFloat(r.querySelector('.pct').textContent) })));
const samples = (page, id) => inShadow(page, id, (root) => root.querySelector('.tx-samples').textContent);

test('the text code is loaded on demand only, and dist/ ships the words corpus when asked (--text)', () => {
  const names = host.built.files.map((f) => f.name);
  for (const f of ['data/words.json', 'data/words-train.bin', 'data/words-heldout.bin']) assert.ok(names.includes(f), `${f} missing from dist`);
  const parts = Object.fromEntries(host.built.parts.map((p) => [p.source, p]));
  for (const source of ['web/widget/text.js', 'web/runtime/text-data.js']) {
    assert.ok(parts[source], `${source} is not a part loaded on demand: ${Object.keys(parts).join(', ')}`);
    assert.ok(parts[source].gzip <= BUDGETS.onDemand, `${source}: ${parts[source].gzip} bytes gzipped`);
  }
  console.log(`text widget parts: ${parts['web/widget/text.js'].gzip} + ${parts['web/runtime/text-data.js'].gzip} bytes gzipped`);
});

test('src = the pretrained words GPT: bars for the prefix at once, tokens, a streamed continuation, samples', async () => {
  const { page, check } = await host.open('text-pretrained');
  const ready = await eventOf(page, 'p', 'ready', 'the pretrained GPT to be ready');
  assert.equal(ready.pretrained, true);
  await waitForValue(page, () => [...document.getElementById('p').shadowRoot.querySelectorAll('.tx-top .label')]
    .filter((l) => l.textContent).length === 5 || null, null, { what: 'five next-token bars' });
  const th = await bars(page, 'p');
  assert.ok(th.every((b) => /^[a-z⏎]$/.test(b.token)), JSON.stringify(th));
  assert.ok(th[0].percent >= th[4].percent && th[0].percent > 10, `after "th" the model is fairly sure: ${JSON.stringify(th)}`);
  // A new prefix changes the bars in the same task as the keystroke (no waiting for a frame or the worker).
  const qu = await page.evaluate(() => {
    const root = document.getElementById('p').shadowRoot, box = root.querySelector('.tx-prefix');
    box.value = 'qu';
    box.dispatchEvent(new Event('input'));
    return [...root.querySelectorAll('.tx-top .label')].map((l) => l.textContent);
  });
  assert.notDeepEqual(qu, th.map((b) => b.token), 'the bars follow the prefix');
  assert.ok(['a', 'e', 'i', 'o'].includes(qu[0]), `after "qu" a vowel: ${qu}`);
  // A character outside the vocabulary is shown as such and left out of what the model sees.
  await page.locator('#p .tx-prefix').fill('thé');
  const chips = await inShadow(page, 'p', (root) => [...root.querySelectorAll('.tx-tokens .chip')]
    .map((c) => [c.querySelector('.piece').textContent, c.querySelector('.id').textContent, c.className]));
  assert.deepEqual(chips, [['t', '20', 'chip'], ['h', '8', 'chip'], ['é', '?', 'chip unknown']]);
  // Continue streams a continuation and reports its cost per token.
  await page.locator('#p .tx-prefix').fill('th');
  await page.locator('#p').getByRole('button', { name: 'Continue' }).click();
  const generated = await eventOf(page, 'p', 'generated', 'the continuation');
  assert.equal(generated.prefix, 'th');
  assert.equal(generated.tokens, 120);
  assert.ok(generated.microsecondsPerToken > 0 && generated.microsecondsPerToken < 5000, `${generated.microsecondsPerToken} µs per token`);
  assert.match(generated.text, /^[a-z\n]+$/);
  const speed = await inShadow(page, 'p', (root) => root.querySelector('.tx-speed').textContent);
  assert.match(speed, /^\d+\.\d µs per token, \d+ tokens\/s$/);
  // The sample strip: three lines of letters from the model.
  const lines = (await waitForValue(page, () => document.getElementById('p').shadowRoot.querySelector('.tx-samples').textContent || null,
    null, { what: 'sampled lines' })).split('\n');
  assert.equal(lines.length, 3);
  assert.ok(lines.every((l) => /^[a-z]*$/.test(l)), JSON.stringify(lines));
  await screenshot(page.locator('#p'), 'widget-text-pretrained');
  await check();
});

test('a widget trains a GPT on the words corpus in its worker; the samples follow the new weights', async () => {
  const { page, check } = await host.open('text-train');
  await eventOf(page, 't', 'ready', 'the worker to tokenize the corpus and be ready');
  const before = await samples(page, 't');
  await page.locator('#t').getByRole('button', { name: 'Train' }).click();
  const trained = await eventOf(page, 't', 'trained', 'the 60-step run to finish');
  assert.equal(trained.reason, 'finished');
  assert.equal(trained.step, 60);
  assert.equal(trained.samplesSeen, 60 * 32);
  const progress = await page.evaluate(() => document.getElementById('t').trainer.progress);
  assert.equal(progress.tokensSeen, 60 * 32 * 16);
  assert.ok(progress.testLossPerChar < Math.log(27), `held-out ${progress.testLossPerChar} nats per character`);
  const after = await waitForValue(page, (b) => { const s = document.getElementById('t').shadowRoot.querySelector('.tx-samples').textContent; return s !== b && s; },
    before, { what: 'new samples from the trained weights' });
  assert.ok(after);
  await check();
});

test('src = a same-origin .txt: a GPT on its own text, its characters (é) in the vocabulary', async () => {
  const { page, check } = await host.open('text-own');
  await eventOf(page, 'o', 'ready', 'the own-text GPT to be ready');
  const vocabulary = await page.evaluate(() => document.getElementById('o').trainer.info.vocabulary);
  assert.deepEqual(vocabulary, [...new Set(OWN_TEXT)].sort());
  await page.locator('#o .tx-prefix').fill('café');
  const chips = await inShadow(page, 'o', (root) => [...root.querySelectorAll('.tx-tokens .chip')].map((c) => c.className));
  assert.deepEqual(chips, ['chip', 'chip', 'chip', 'chip']);
  await page.locator('#o').getByRole('button', { name: 'Train' }).click();
  assert.equal((await eventOf(page, 'o', 'trained', 'the own-text run')).step, 20);
  await check();
});

test('bad sources: an unknown corpus keeps the default with a message; a missing or binary .txt says why', async () => {
  const { page, check } = await host.open('text-bad');
  const message = (id) => waitForValue(page, (i) => document.getElementById(i).shadowRoot.querySelector('.msg').textContent || null, id,
    { what: `${id}'s message` });
  assert.match(await message('poems'), /^corpus: expected one of words, prose, got "poems"\. Using the default instead\.$/);
  await eventOf(page, 'poems', 'ready', 'the default corpus to be ready');
  assert.match(await message('missing'), /src: could not load \/tests\/e2e\/host\/missing\.txt \(HTTP 404\)/);
  assert.match(await message('binary'), /does not look like text/);
  await check({ expected: [/missing\.txt/, /status of 404/] });
});

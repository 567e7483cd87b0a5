// <tiny-train demo="digits"> in Chromium, embedded as a documentation site would: host pages load a fresh `dist`
// build (with --mnist: the gzipped MNIST in dist/data/) under the strict CSP of tests/e2e/widget.test.mjs, sent as a header on every response.
// A widget starting from the pretrained MLP recognises held-out digits drawn on its pad with mouse strokes; a
// widget training from scratch gets better on the held-out digits; the digits code is loaded only on demand; bad
// attributes give messages, and a widget whose data folder is empty says what is missing. No console errors, uncaught exceptions or CSP violations on any page.
import test from 'node:test';
import assert from 'node:assert/strict';
import { screenshot, waitForValue, drawImage } from './helpers.mjs';
import { startWidgetHost, eventOf } from './widget-host.mjs';
import { BUDGETS } from '../../tools/dist.mjs';
import { loadMnistNode } from '../../tools/mnist-data.mjs';
import { CNN_SPEC } from '../../demos/digits/models.js';

const DIST = '/tests/artifacts/widget-digits-dist'; // its own build: widget.test.mjs may rebuild its one meanwhile
const heldOut = loadMnistNode('test');
const INK = 0.5; // MNIST pixels above this are drawn

// The host's script: the widgets' events (test accuracy of every progress event) and CSP violations, kept in a
// non-enumerable window property.
const RECORDER = `const log = { events: [], acc: {}, csp: [] };
Object.defineProperty(window, 'ttLog', { value: log, enumerable: false });
for (const type of ['ready', 'progress', 'trained', 'error']) {
  document.addEventListener(type, (e) => {
    if (e.target.localName !== 'tiny-train') return;
    const d = e.detail, id = e.target.id;
    if (type === 'progress') { if (Number.isFinite(d.testAccuracy)) (log.acc[id] ||= []).push([d.metricsStep, d.testAccuracy]); return; }
    log.events.push({ id, type, ...d });
  });
}
document.addEventListener('securitypolicyviolation', (e) => log.csp.push(e.violatedDirective + ' ' + e.blockedURI));`;

const PAGES = {
  'digits-pretrained': '<tiny-train id="p" demo="digits" src="/demos/data/generated/digits-mlp.safetensors"></tiny-train>',
  'digits-train': '<tiny-train id="t" demo="digits" steps="150"></tiny-train>',
  'digits-bad': `<tiny-train id="cnn" demo="digits" layers="cnn"></tiny-train>
<tiny-train id="far" demo="digits" data="https://example.com/mnist/"></tiny-train>
<tiny-train id="spiral" demo="spiral" layers="cnn"></tiny-train>`,
  'digits-missing': '<tiny-train id="none" demo="digits" data="/tests/e2e/host/empty/"></tiny-train>',
};

let host, built;
test.before(async () => {
  host = await startWidgetHost({ dist: DIST, pages: PAGES, recorder: RECORDER, mnist: true });
  built = host.built;
});
test.after(async () => { await host?.close(); });

const open = (name) => host.open(name);

const shadow = (page, id, sel, what = 'textContent') =>
  page.evaluate(([i, s, w]) => { const el = document.getElementById(i).shadowRoot.querySelector(s); return w === 'dataset' ? { ...el.dataset } : el[w]; }, [id, sel, what]);

// Held-out digit i drawn as mouse strokes on widget id's pad.
const drawDigit = (page, id, i) => drawImage(page, `#${id} canvas.pad`, heldOut.x.subarray(i * 784, (i + 1) * 784), { ink: INK });

test('the digits code is loaded on demand only: the widget stays within budget and dist/ ships MNIST gzipped when asked', () => {
  const names = built.files.map((f) => f.name);
  for (const f of ['data/mnist-train.bin.gz', 'data/mnist-test.bin.gz']) assert.ok(names.includes(f), `${f} missing from dist: ${names.join(', ')}`);
  const data = built.files.filter((f) => f.part === 'data');
  assert.equal(data.length, 2);
  const mb = data.reduce((s, f) => s + f.bytes, 0) / 1e6;
  assert.ok(mb < 2, `the digits data ships as ${mb.toFixed(2)} MB (the raw files are 7.85 MB)`);
  const parts = Object.fromEntries(built.parts.map((p) => [p.source, p]));
  for (const source of ['web/widget/digits.js', 'web/mnist-load.js']) {
    assert.ok(parts[source], `${source} is not a part loaded on demand: ${built.parts.map((p) => p.source).join(', ')}`);
    assert.ok(parts[source].gzip <= BUDGETS.onDemand, `${source}: ${parts[source].gzip} bytes gzipped`);
  }
  assert.ok(built.initial.gzip <= BUDGETS.initial, `the widget loads ${built.initial.gzip} bytes gzipped, over ${BUDGETS.initial}`);
  console.log(`widget before its first step: ${built.initial.gzip} bytes gzipped; digits pad ${parts['web/widget/digits.js'].gzip}, ` +
    `MNIST loader ${parts['web/mnist-load.js'].gzip}`);
});

test('src = the pretrained MLP: 10 held-out digits drawn with the mouse are recognised (>= 8 of 10), bars and latency', async () => {
  const { page, requests, check } = await open('digits-pretrained');
  await eventOf(page, 'p', 'ready', 'the pretrained MLP to be ready');
  const results = [];
  for (let i = 0; i < 10; i++) {
    await page.locator('#p').getByRole('button', { name: 'Clear' }).click();
    const strokes = await drawDigit(page, 'p', i);
    // The answer for the finished drawing records the stroke count it was made for.
    const d = await waitForValue(page, (s) => {
      const o = document.getElementById('p').shadowRoot.querySelector('.dg-digit').dataset;
      return o.strokes === String(s) && o.digit !== '' && o.digit;
    }, strokes, { what: `the prediction for held-out digit ${i} (${strokes} strokes)` });
    results.push({ i, label: heldOut.y[i], got: Number(d) });
    if (i === 0) await screenshot(page.locator('#p'), 'widget-digits-drawn');
  }
  const right = results.filter((r) => r.got === r.label).length;
  const wrong = results.filter((r) => r.got !== r.label).map((r) => `#${r.i}: a ${r.label} read as ${r.got}`);
  console.log(`widget: drawn held-out digits recognised: ${right}/10${wrong.length ? ` (${wrong.join(', ')})` : ''}`);
  assert.ok(right >= 8, `only ${right} of 10 drawn digits recognised: ${wrong.join(', ')}`);
  // Ten bars, the best one marked and labelled; the latency of predict().
  const bars = await page.evaluate(() => [...document.getElementById('p').shadowRoot.querySelectorAll('.bars .row')]
    .map((r) => ({ best: r.classList.contains('best'), label: r.getAttribute('aria-label'), width: r.querySelector('.fill').style.width })));
  assert.equal(bars.length, 10, 'ten probability bars');
  const best = bars.findIndex((b) => b.best);
  assert.equal(best, results[9].got, 'the marked bar is the predicted digit');
  assert.match(bars[best].label, new RegExp(`^${best}: \\d+\\.\\d%$`));
  // (web/timing.js: one decimal below 10 µs, whole microseconds above; a slow machine takes 10 µs and more)
  assert.match(await shadow(page, 'p', '.lat'), /^in (\d\.\d|[1-9]\d{1,2}) µs$/);
  assert.match(await shadow(page, 'p', '.out'), /^class \d \(\d+\.\d%\)$/);
  // Clear forgets the drawing.
  await page.locator('#p').getByRole('button', { name: 'Clear' }).click();
  assert.equal(await shadow(page, 'p', '.dg-digit'), '?');
  const pad = built.parts.find((p) => p.source === 'web/widget/digits.js').name;
  assert.ok(requests.some((u) => u.endsWith(`/${pad}`)), 'the digits module was loaded');
  await check();
});

test('a digits widget trains in its worker on dist/data/: held-out accuracy rises from Step to Train; it then reads a drawn digit', async () => {
  const { page, requests, check } = await open('digits-train');
  await eventOf(page, 't', 'ready', 'the widget to load MNIST in its worker');
  // Step: 10 steps, scored at once; then Train runs on to `steps`.
  await page.locator('#t').getByRole('button', { name: 'Step' }).click();
  await waitForValue(page, () => window.ttLog.acc.t?.length, null, { what: 'the held-out accuracy after Step' });
  const t0 = Date.now();
  await page.locator('#t').getByRole('button', { name: 'Train' }).click();
  const trained = await eventOf(page, 't', 'trained', 'the 150-step run to finish', 180000);
  const acc = await page.evaluate(() => window.ttLog.acc.t);
  const [first, last] = [acc[0], acc.at(-1)];
  const seen = [...new Map(acc.map(([s, a]) => [s, `${(100 * a).toFixed(1)}%@${s}`])).values()]; // one per evaluation
  console.log(`widget digits MLP: steps 10 -> 150 in ${((Date.now() - t0) / 1000).toFixed(1)} s, held-out ${seen.join(' ')}; ` +
    `${await shadow(page, 't', '.s-rate')} samples/s`);
  assert.equal(trained.step, 150);
  assert.ok(last[1] >= 0.85, `held-out accuracy after 150 steps is ${(100 * last[1]).toFixed(1)}% (< 85%)`);
  assert.equal(first[0], 10, 'the first score is the one after Step');
  assert.ok(last[1] > first[1] + 0.1, `held-out accuracy went from ${(100 * first[1]).toFixed(1)}% at step ${first[0]} to ` +
    `${(100 * last[1]).toFixed(1)}%: no rise`);
  assert.match(await shadow(page, 't', '.status'), /Finished at step 150; test accuracy \d+\.\d%/);
  await waitForValue(page, (want) => document.getElementById('t').shadowRoot.querySelector('.s-acc').textContent === want,
    `${(100 * last[1]).toFixed(1)}%`, { what: 'the stats line to show the last test accuracy' }); // repainted in a frame
  for (const f of ['mnist-train.bin.gz', 'mnist-test.bin.gz']) {
    assert.ok(requests.includes(`${DIST}/data/${f}`), `${f} fetched from dist/data/ (requests: ${requests.filter((u) => /mnist/.test(u))})`);
  }
  assert.equal(await shadow(page, 't', '.map', 'hidden'), true, 'no input plane for digits');
  // The pad answers with the weights being trained.
  const strokes = await drawDigit(page, 't', 0);
  const d = await waitForValue(page, (s) => {
    const o = document.getElementById('t').shadowRoot.querySelector('.dg-digit').dataset;
    return o.strokes === String(s) && o.digit;
  }, strokes, { what: 'a prediction from the trained widget' });
  console.log(`the trained widget reads held-out digit 0 (a ${heldOut.y[0]}) as ${d}`);
  await screenshot(page.locator('#t'), 'widget-digits-trained');
  await check();
});

test('layers="cnn" builds the digits CNN; a data folder on another site and "cnn" for another demo are refused', async () => {
  const { page, check } = await open('digits-bad');
  await eventOf(page, 'cnn', 'ready', 'the CNN widget to be ready');
  const spec = await page.evaluate(() => document.getElementById('cnn').trainer.spec);
  assert.deepEqual(spec.input, [1, 28, 28]);
  assert.deepEqual(spec.layers, CNN_SPEC.layers);
  assert.deepEqual(spec.optimizer, { type: 'adam', lr: 0.001 }, 'the digits defaults: adam, lr 0.001');
  const far = await eventOf(page, 'far', 'error', 'the data attribute to be refused');
  assert.match(far.message, /^data: expected a folder on this site, got "https:\/\/example\.com\/mnist\/"$/);
  assert.match(await shadow(page, 'far', '.msg'), /data: expected a folder on this site/);
  const sp = await eventOf(page, 'spiral', 'error', 'layers="cnn" on spiral to be refused');
  assert.match(sp.message, /layers: expected hidden layers \("cnn" is for demo="digits"\), got "cnn"/);
  // Switching a digits widget to another demo puts the input plane back in place of the pad.
  await page.evaluate(() => { const w = document.getElementById('cnn'); w.setAttribute('layers', '8 relu'); w.setAttribute('demo', 'xor'); });
  await waitForValue(page, () => /Ready: press Train/.test(document.getElementById('cnn').shadowRoot.querySelector('.status').textContent),
    null, { what: 'the widget rebuilt for xor' });
  assert.equal(await shadow(page, 'cnn', '.map', 'hidden'), false, 'the input plane is back');
  assert.equal(await page.locator('#cnn canvas.pad').count(), 0, 'the pad is gone');
  assert.equal(await page.locator('#cnn .inputs input').count(), 2, 'two number inputs for xor');
  await check();
});

test('a digits widget whose data folder lacks the MNIST files says which file is missing and where to put it', async () => {
  const { page, check } = await open('digits-missing');
  const error = await eventOf(page, 'none', 'error', 'the missing data to be reported');
  assert.match(error.message, /^mnist: the digits data is missing: nothing at http:\/\/127\.0\.0\.1:\d+\/tests\/e2e\/host\/empty\/mnist-(train|test)\.bin\.gz \(HTTP 404\)\. Put mnist-train\.bin\.gz and mnist-test\.bin\.gz there/);
  assert.match(error.message, /data attribute/);
  assert.match(await shadow(page, 'none', '.msg'), /the digits data is missing/);
  assert.equal(await shadow(page, 'none', '.msg', 'hidden'), false);
  // The page around it keeps working, and nothing but the two 404s shows up as a problem.
  assert.equal(await page.evaluate(() => document.querySelector('p').textContent), 'Some prose.');
  await check({ expected: [/HTTP 404: .*\/empty\/mnist-(train|test)\.bin\.gz/, /404 \(Not Found\)/] });
});

// What readers of a documentation page get from <tiny-train>, checked the same way in Chromium, Firefox and WebKit
// (tests/browsers/<browser>.test.mjs each call readerSuite): a fresh `dist` build with the gzipped MNIST, served
// under the strict CSP of tests/e2e/widget-host.mjs (a header on every response, the worker's included), host pages
// that load it, and for every page: no console errors, uncaught exceptions or unhandled rejections in the page or
// its workers (collected in the page: page-checks.mjs), no CSP violations, and nothing the browser itself reports.
// The browsers run with a dark system colour scheme (drivers.mjs), under which the demo pages are checked too.
import test from 'node:test';
import assert from 'node:assert/strict';
import { serveWidgetHost } from '../e2e/widget-host.mjs';
import { inkStrokes } from '../e2e/helpers.mjs';
import { loadMnistNode } from '../../tools/mnist-data.mjs';
import { launchBrowser } from './drivers.mjs';
import * as inPage from './page-checks.mjs';
import { decodePng, meanLuminance } from './png.mjs';

const INK = 0.5; // MNIST pixels above this are drawn
const DARK = 'rgb(13, 17, 23)', LIGHT = 'rgb(255, 255, 255)'; // the widget's surfaces (web/widget/style.js)

const CSP_PROBE = `let evaluated;
try { evaluated = new Function('return "ran"')(); } catch (e) { evaluated = e.name; }
document.documentElement.dataset.evaluated = evaluated;`;

const PAGES = {
  // an inline script and a string evaluated by the page's own script, both refused under the strict CSP
  csp: `<script>document.documentElement.dataset.inline = 'ran';</script>
<script type="module" src="/tests/e2e/host/csp-probe.js"></script>`,
  train: '<tiny-train id="c" demo="circles" steps="600" autoplay></tiny-train>',
  themes: `<tiny-train id="auto" demo="xor"></tiny-train><tiny-train id="light" demo="xor" theme="light"></tiny-train>
<tiny-train id="dark" demo="xor" theme="dark"></tiny-train>`,
  'digits-pretrained': '<tiny-train id="p" demo="digits" src="/demos/data/generated/digits-mlp.safetensors"></tiny-train>',
  'digits-train': '<tiny-train id="t" demo="digits" steps="150"></tiny-train>',
  text: '<tiny-train id="w" demo="text" src="/demos/data/generated/words-gpt.safetensors" prefix="th"></tiny-train>',
};

/** Registers the suite for browser `name` (drivers.mjs's BROWSERS). */
export function readerSuite(name) {
  const dist = `/tests/artifacts/browsers-${name}-dist`;
  const heldOut = loadMnistNode('test');
  let site, browser;

  test.before(async () => {
    site = await serveWidgetHost({ dist, pages: PAGES, recorder: inPage.recorder(dist), mnist: true, text: true,
      files: { ...inPage.forwardingWorkerFiles(dist), ...inPage.noisyWorkerFile(), '/tests/e2e/host/csp-probe.js': CSP_PROBE } });
    browser = await launchBrowser(name);
  });
  test.after(async () => {
    await browser?.close();
    site?.close();
  });

  // The mean luminance of the first <select> in widget `id` (or on the page) as a screenshot shows it. A screenshot
  // can lag a scroll by a frame or two (WebKit's), so it is taken again until it agrees with `dark` or 5 s pass.
  async function selectLuminance(p, id, dark, shot) {
    const end = Date.now() + 5000;
    for (;;) {
      const box = await p.evaluate(inPage.selectBox, id);
      const luminance = meanLuminance(decodePng(await p.screenshot(shot)), box);
      if ((dark ? luminance < 0.35 : luminance > 0.65) || Date.now() > end) return luminance;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  // Opens a host page; its check() asserts that nothing went wrong on it, besides problems matching `expected`.
  async function open(page) {
    const p = await browser.open(`${site.origin}/tests/e2e/host/${page}.html`);
    await p.waitFor(() => window.ttLog, null, { what: 'the host page\'s recorder' });
    p.check = async ({ expected = [] } = {}) => {
      await new Promise((resolve) => setTimeout(resolve, 300)); // the workers' last messages on the channel
      const { problems, csp } = await p.evaluate(inPage.recorded);
      const unexpected = (list) => list.filter((e) => !expected.some((re) => re.test(e)));
      const native = p.problems();
      await p.close();
      assert.deepEqual(unexpected(problems), [], `${name}: problems in ${page}.html or its workers`);
      assert.deepEqual(unexpected(csp), [], `${name}: CSP violations on ${page}.html`);
      assert.deepEqual(unexpected(native), [], `${name}: problems the browser reported on ${page}.html`);
    };
    p.eventOf = (id, type, what, timeoutMs = 60000) => p.waitFor(inPage.eventOf, [id, type], { what, timeoutMs });
    p.clickButton = async (id, label) => {
      const centre = await p.evaluate(inPage.buttonCentre, [id, label]);
      assert.ok(centre, `${name}: no button "${label}" in #${id}`);
      await p.click(...centre);
    };
    // Draws held-out digit i on widget id's pad; returns the number of strokes.
    p.drawDigit = async (id, i) => {
      const strokes = inkStrokes(heldOut.x.subarray(i * 784, (i + 1) * 784), await p.evaluate(inPage.padBox, id), { ink: INK });
      await p.strokes(strokes);
      return strokes.length;
    };
    // The pad's answer for a finished drawing of `strokes` strokes.
    p.digitFor = (id, strokes, what) => p.waitFor(([i, s]) => {
      const o = document.getElementById(i).shadowRoot.querySelector('.dg-digit').dataset;
      return o.strokes === String(s) && o.digit !== '' && o.digit;
    }, [id, strokes], { what });
    return p;
  }

  test(`${name}: the strict CSP is in force: the page's inline script and its string evaluation are refused and reported`, async () => {
    const page = await open('csp');
    const ran = await page.waitFor(() => document.documentElement.dataset.evaluated && { ...document.documentElement.dataset }, null,
      { what: 'the page\'s probe script' });
    assert.deepEqual(ran, { evaluated: 'EvalError' }, `${name}: what ran under the strict CSP`);
    const { csp } = await page.evaluate(inPage.recorded);
    // (the inline script's violation comes before the recorder, a module script, listens)
    assert.ok(csp.some((v) => /^script-src(-elem)? eval$/.test(v)), `${name}: violations reported: ${JSON.stringify(csp)}`);
    await page.check({ expected: [/^script-src/, /eval|inline|Content Security Policy|Content-Security-Policy/i] });
  });

  test(`${name}: the page's recorder hears console errors and uncaught exceptions of the page and of a worker`, async () => {
    const page = await open('csp');
    await page.evaluate((url) => {
      console.error('the page: an error on the console');
      window.noisyWorker = new Worker(url, { type: 'module' }); // kept, so it is not collected before it speaks
      setTimeout(() => { throw new Error('the page: uncaught'); });
      Promise.reject(new Error('the page: unhandled'));
    }, inPage.NOISY_WORKER);
    const wanted = [/^page console: the page: an error on the console$/, /^page uncaught: .*the page: uncaught$/,
      /^page unhandled rejection: the page: unhandled$/, /^worker console: noisy worker: an error on the console$/,
      /^worker uncaught: .*noisy worker: uncaught$/];
    // the worker's arrive over the channel, in their own time
    const missing = async () => {
      const { problems } = await page.evaluate(inPage.recorded);
      return { problems, missing: wanted.filter((re) => !problems.some((p) => re.test(p))) };
    };
    const end = Date.now() + 10000;
    let seen = await missing();
    while (seen.missing.length && Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = await missing();
    }
    assert.deepEqual(seen.missing, [], `${name}: nothing recorded matches these: ${JSON.stringify(seen.problems)}`);
    await page.check({ expected: [/the page: |noisy worker: /, /^script-src/, /eval|inline|Content Security Policy|Content-Security-Policy/i] });
  });

  test(`${name}: a circles widget trains in its worker to >= 90% held-out accuracy; the page answers typed points with its weights`, async () => {
    const page = await open('train');
    const t0 = Date.now();
    const trained = await page.eventOf('c', 'trained', 'the 600-step run to finish', 120000);
    console.log(`${name}: circles, 600 steps in ${((Date.now() - t0) / 1000).toFixed(1)} s, held-out accuracy ${(100 * trained.testAccuracy).toFixed(1)}%`);
    assert.equal(trained.step, 600);
    assert.ok(trained.testAccuracy >= 0.9, `${name}: held-out accuracy ${trained.testAccuracy} after 600 steps`);
    // The disc is class 0, the ring class 1 (web/datasets.js circles); the page predicts with the trained weights.
    const answer = (a, b) => page.waitFor(([i, x, y, want]) => {
      const root = document.getElementById(i).shadowRoot, inputs = root.querySelectorAll('.inputs input');
      inputs[0].value = x;
      inputs[1].value = y;
      inputs[1].dispatchEvent(new Event('input', { bubbles: true }));
      const text = root.querySelector('.out').textContent;
      return new RegExp(want).test(text) && text;
    }, ['c', a, b, '^class \\d \\((9\\d|100)\\.\\d%\\)$'], { what: `a confident answer for (${a}, ${b})`, timeoutMs: 10000 });
    assert.match(await answer(0, 0), /^class 0 /);
    assert.match(await answer(0.8, 0), /^class 1 /);
    assert.match(await page.evaluate(inPage.shadowProperty, ['c', '.status']), /Finished at step 600; test accuracy \d+\.\d%/);
    // the widget's worker ran with its console forwarded to the page
    assert.deepEqual((await page.evaluate(inPage.recorded)).workers, [inPage.FORWARDING_WORKER]);
    // nothing of this needs SharedArrayBuffer, which WebKitGTK leaves undefined (without JSC_useSharedArrayBuffer=1)
    if (name === 'webkit') assert.equal(await page.evaluate(() => typeof SharedArrayBuffer), 'undefined');
    await page.screenshot(`browsers-${name}-circles`);
    await page.check();
  });

  test(`${name}: dark mode: theme="auto" follows the system's dark scheme, "light" and "dark" are what they say`, async () => {
    const page = await open('themes');
    for (const id of ['auto', 'light', 'dark']) await page.eventOf(id, 'ready', `the ${id} widget to be ready`);
    const surfaces = Object.fromEntries(await Promise.all(['auto', 'light', 'dark'].map(async (id) => [id, await page.evaluate(inPage.surface, id)])));
    assert.equal(surfaces.auto.systemDark, true, `${name}: the browser was meant to run with a dark system scheme`);
    assert.equal(surfaces.auto.background, DARK, `${name}: theme="auto" under a dark system scheme`);
    assert.equal(surfaces.light.background, LIGHT, `${name}: theme="light"`);
    assert.equal(surfaces.dark.background, DARK, `${name}: theme="dark"`);
    // What a reader sees of the learning-rate menu: dark on a dark widget, light on a light one. (WebKitGTK draws
    // a <select> from the colour scheme, whatever its CSS background says.)
    for (const [id, dark] of [['auto', true], ['light', false], ['dark', true]]) {
      const luminance = await selectLuminance(page, id, dark, `browsers-${name}-theme-${id}`);
      assert.ok(dark ? luminance < 0.35 : luminance > 0.65, `${name}: the <select> of the ${id} widget has mean luminance ` +
        `${luminance.toFixed(2)} (want ${dark ? '< 0.35' : '> 0.65'})`);
    }
    await page.check();
  });

  test(`${name}: the demo pages' menus are dark under a dark system scheme`, async () => {
    for (const demo of ['playground', 'digits', 'text']) {
      const page = await browser.open(`${site.origin}/demos/${demo}/index.html`);
      await page.waitFor(() => document.querySelector('select')?.getBoundingClientRect().width > 0, null, { what: `a menu on the ${demo} demo` });
      const luminance = await selectLuminance(page, null, true, `browsers-${name}-${demo}-dark`);
      assert.ok(luminance < 0.35, `${name}: the first <select> of the ${demo} demo has mean luminance ${luminance.toFixed(2)} (want < 0.35)`);
      await page.close();
    }
  });

  test(`${name}: the pretrained digits MLP recognises >= 8 of 10 held-out digits drawn on its pad with the mouse`, async () => {
    const page = await open('digits-pretrained');
    await page.eventOf('p', 'ready', 'the pretrained MLP to be ready');
    const results = [];
    for (let i = 0; i < 10; i++) {
      await page.clickButton('p', 'Clear');
      const strokes = await page.drawDigit('p', i);
      results.push({ i, label: heldOut.y[i], got: Number(await page.digitFor('p', strokes, `the answer for held-out digit ${i} (${strokes} strokes)`)) });
      if (i === 0) await page.screenshot(`browsers-${name}-digit`);
    }
    const right = results.filter((r) => r.got === r.label).length;
    const wrong = results.filter((r) => r.got !== r.label).map((r) => `#${r.i}: a ${r.label} read as ${r.got}`);
    console.log(`${name}: drawn held-out digits recognised: ${right}/10${wrong.length ? ` (${wrong.join(', ')})` : ''}`);
    assert.ok(right >= 8, `${name}: only ${right} of 10 drawn digits recognised: ${wrong.join(', ')}`);
    assert.match(await page.evaluate(inPage.shadowProperty, ['p', '.out']), /^class \d \(\d+\.\d%\)$/);
    await page.clickButton('p', 'Clear');
    assert.equal(await page.evaluate(inPage.shadowProperty, ['p', '.dg-digit']), '?', 'Clear forgets the drawing');
    await page.check();
  });

  test(`${name}: a digits widget decompresses the gzipped MNIST in its worker and trains: >= 85% held-out after 150 steps`, async () => {
    // dist/data/ holds the MNIST files only gzipped, so a widget that gets ready has decompressed them
    const data = site.built.files.filter((f) => f.name.startsWith('data/mnist')).map((f) => f.name).sort();
    assert.deepEqual(data, ['data/mnist-test.bin.gz', 'data/mnist-train.bin.gz']);
    const page = await open('digits-train');
    const t0 = Date.now();
    await page.eventOf('t', 'ready', 'the worker to fetch and decompress MNIST', 120000);
    const loaded = Date.now();
    // Step: 10 steps, scored at once; then Train runs on to `steps`.
    await page.clickButton('t', 'Step');
    await page.waitFor(inPage.accuracies, 't', { what: 'the held-out accuracy after Step' });
    await page.clickButton('t', 'Train');
    const trained = await page.eventOf('t', 'trained', 'the 150-step run to finish', 240000);
    const acc = await page.evaluate(inPage.accuracies, 't');
    const [first, last] = [acc[0], acc.at(-1)];
    console.log(`${name}: MNIST ready in ${((loaded - t0) / 1000).toFixed(1)} s; 150 steps in ${((Date.now() - loaded) / 1000).toFixed(1)} s; ` +
      `held-out ${(100 * first[1]).toFixed(1)}% at step ${first[0]}, ${(100 * last[1]).toFixed(1)}% at step ${last[0]}`);
    assert.equal(trained.step, 150);
    assert.ok(last[1] >= 0.85, `${name}: held-out accuracy after 150 steps is ${(100 * last[1]).toFixed(1)}% (< 85%)`);
    assert.equal(first[0], 10, `${name}: the first score is the one after Step`);
    assert.ok(last[1] > first[1] + 0.1, `${name}: held-out accuracy went from ${first[1]} at step ` +
      `${first[0]} to ${last[1]} at step ${last[0]}: no rise`);
    // The pad answers with the trained weights.
    const strokes = await page.drawDigit('t', 0);
    const digit = await page.digitFor('t', strokes, 'the trained widget\'s answer for a drawn digit');
    console.log(`${name}: the trained widget reads held-out digit 0 (a ${heldOut.y[0]}) as ${digit}`);
    await page.check();
  });

  test(`${name}: the pretrained words GPT answers a typed prefix on the page and streams a continuation`, async () => {
    const page = await open('text');
    const ready = await page.eventOf('w', 'ready', 'the pretrained GPT to be ready', 120000);
    assert.equal(ready.pretrained, true);
    await page.waitFor((id) => [...document.getElementById(id).shadowRoot.querySelectorAll('.tx-top .label')]
      .filter((l) => l.textContent).length === 5, 'w', { what: 'five next-token bars for "th"' });
    const th = await page.evaluate(inPage.nextTokens, ['w']);
    assert.ok(th.every((b) => /^[a-z⏎]$/.test(b.token)), `${name}: ${JSON.stringify(th)}`);
    assert.ok(th[0].percent >= th[4].percent && th[0].percent > 10, `${name}: after "th" the model is fairly sure: ${JSON.stringify(th)}`);
    const qu = (await page.evaluate(inPage.nextTokens, ['w', 'qu'])).map((b) => b.token);
    assert.ok(['a', 'e', 'i', 'o'].includes(qu[0]), `${name}: after "qu" a vowel: ${qu}`);
    await page.evaluate(inPage.nextTokens, ['w', 'th']);
    await page.clickButton('w', 'Continue');
    const generated = await page.eventOf('w', 'generated', 'the continuation');
    assert.equal(generated.prefix, 'th');
    assert.equal(generated.tokens, 120);
    assert.match(generated.text, /^[a-z\n]+$/);
    console.log(`${name}: the words GPT continues "th" with ${JSON.stringify(generated.text.slice(0, 40))}...`);
    await page.check();
  });
}

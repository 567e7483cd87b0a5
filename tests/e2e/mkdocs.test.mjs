// docs/embedding.md's MkDocs recipe, built for real: tests/mkdocs-site/ (MkDocs + Material with `navigation.instant`,
// the recipe's theme override loading dist/tiny-train.js) is copied to a temporary folder, a fresh `make dist` output
// goes into its docs/assets/tinytrain/, `mkdocs build` writes the site, and Chromium reads it. Instant navigation swaps
// the page's content without a reload, so every widget it removes must end its worker and let go of its memory, and
// every widget it brings back must train again. Going round three pages (two widgets, one, none) ten times by clicking
// links, then Back twice, the test checks: still the same document (no reload); exactly one training worker per widget
// on screen, also after leaving pages whose widgets were still starting; the widgets train and predict on every visit;
// none that left emits an event; and, after forced garbage collections, no Trainer or model of a widget that left is
// alive, none keeps canvas pixels (Material keeps the old pages, and so their elements) or a listener on the document,
// the page's wasm memory stays the same and the JS heap stays within a generous bound. Without mkdocs the test fails
// and says how to install it (tools/install-deps.sh installs it for `make test`).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, LAUNCH_ARGS, openPage, waitForValue } from './helpers.mjs';
import { startServer } from '../../tools/serve.mjs';
import { buildDist } from '../../tools/dist.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SITE_SOURCE = path.join(ROOT, 'tests/mkdocs-site');
const INSTALL = 'install MkDocs and its Material theme with `sudo apt-get install -y mkdocs mkdocs-material` ' +
  '(or run `make deps-test` as root)';
const ROUNDS = 10;
// The site's pages in the order the links go round, with the widgets each shows.
const PAGES = [
  { path: '/', title: 'Two widgets', widgets: ['circles', 'xor'], next: 'one widget' },
  { path: '/second/', title: 'One widget', widgets: ['moons'], next: 'no widget' },
  { path: '/third/', title: 'No widget', widgets: [], next: 'two widgets' },
];
// JS heap growth allowed from the third round to the last (after garbage collection). The theme's own copies of the
// pages it swapped out, with their widgets' elements, grow it by some tens of KiB a round.
const HEAP_GROWTH_LIMIT = 1024 * 1024;

// Recorded from the first script on, on `window`, which instant navigation keeps: the widgets' events (with the
// visit they arrived in, and whether their widget was on the page); ttWidgets gets weak references to every widget
// seen, its Trainer and its model.
const RECORDER = () => {
  window.ttVisit = 0;
  window.ttEvents = [];
  window.ttWidgets = [];
  for (const type of ['ready', 'trained', 'error']) {
    document.addEventListener(type, (e) => {
      if (e.target.localName !== 'tiny-train') return;
      window.ttEvents.push({ type, id: e.target.id, visit: window.ttVisit, connected: e.target.isConnected, detail: e.detail });
    });
  }
};

let work, server, browser;

// Runs mkdocs, failing with how to install it when it is missing.
function mkdocs(args, cwd) {
  const run = spawnSync('mkdocs', args, { cwd, encoding: 'utf8' });
  if (run.error?.code === 'ENOENT') throw new Error(`mkdocs is not installed: ${INSTALL}`);
  if (run.status !== 0) {
    const theme = /Unrecognised theme name: 'material'/.test(run.stderr) ? `: the Material theme is missing: ${INSTALL}` : '';
    throw new Error(`mkdocs ${args.join(' ')} failed${theme}\n${run.stderr}`);
  }
  return run;
}

test.before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinytrain-mkdocs-'));
  const source = path.join(work, 'source');
  fs.cpSync(SITE_SOURCE, source, { recursive: true });
  await buildDist(path.join(source, 'docs/assets/tinytrain')); // the recipe: copy dist/ to docs/assets/tinytrain/
  mkdocs(['build', '--strict', '--quiet', '--site-dir', path.join(work, 'site')], source);
  server = await startServer({ root: path.join(work, 'site'), port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS] });
});

test.after(async () => {
  await browser?.close();
  await server?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('docs/embedding.md\'s MkDocs recipe is this site: the theme override and instant navigation', () => {
  const guide = fs.readFileSync(path.join(ROOT, 'docs/embedding.md'), 'utf8');
  const override = fs.readFileSync(path.join(SITE_SOURCE, 'overrides/main.html'), 'utf8').trim();
  assert.ok(guide.includes(override), `docs/embedding.md does not show overrides/main.html:\n${override}`);
  for (const line of ['site_url: ', 'custom_dir: overrides', '- navigation.instant']) { // no site_url, no instant navigation
    assert.ok(guide.includes(line), `docs/embedding.md does not show "${line}"`);
    assert.ok(fs.readFileSync(path.join(SITE_SOURCE, 'mkdocs.yml'), 'utf8').includes(line), `mkdocs.yml lacks "${line}"`);
  }
});

// Our training workers (not Material's search worker), as Chromium reports them to Playwright.
const trainingWorkers = (page) => page.workers().filter((w) => new URL(w.url()).pathname === '/assets/tinytrain/worker.js');

async function expectWorkers(page, count, where) {
  const deadline = Date.now() + 15000;
  while (trainingWorkers(page).length !== count && Date.now() < deadline) await page.waitForTimeout(50);
  assert.equal(trainingWorkers(page).length, count, `${where}: ${trainingWorkers(page).length} training workers for ${count} widgets`);
}

// Listeners on the document and on window from the widget's code (the theme has its own); scripts: id -> URL.
async function widgetListeners(cdp, scripts) {
  let count = 0;
  for (const expression of ['document', 'window']) {
    const { result: { objectId } } = await cdp.send('Runtime.evaluate', { expression });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId });
    count += listeners.filter((l) => scripts.get(l.scriptId)?.includes('/assets/tinytrain/')).length;
    await cdp.send('Runtime.releaseObject', { objectId });
  }
  return count;
}

// After forced garbage collections: the JS heap in use, and what is left of the widgets ever seen. MkDocs Material
// 8.2.5 itself keeps every page its instant navigation swaps out (listeners of its own hold the old content), and so
// the widgets in them: what matters is that such a widget holds nothing more, no Trainer, no model, no pixels.
async function measure(page, cdp, scripts) {
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const left = await page.evaluate(() => {
    const alive = window.ttWidgets.map((refs) => ({
      widget: refs.widget.deref(), trainer: refs.trainer.deref(), predictor: refs.predictor.deref(),
    }));
    const pixels = (w) => [...w.shadowRoot.querySelectorAll('canvas')].reduce((n, c) => n + c.width * c.height, 0);
    const kept = alive.map((a) => a.widget).filter((w) => w && !w.isConnected);
    return {
      seen: alive.length,
      kept: kept.length,
      trainers: alive.filter((a) => a.trainer).length,
      predictors: alive.filter((a) => a.predictor).length,
      keptTrainers: kept.filter((w) => w.trainer).length,
      canvasPixels: kept.reduce((sum, w) => sum + pixels(w), 0),
    };
  });
  return { heap: usedSize, ...left, listeners: await widgetListeners(cdp, scripts) };
}

// The widgets on screen, after they trained in this visit: trained to at least 0.8 test accuracy.
async function expectTrained(page, visit, ids, where, times = 1) {
  for (const id of ids) {
    const events = await waitForValue(page, ([v, i, n]) => {
      const done = window.ttEvents.filter((e) => e.visit === v && e.id === i && (e.type === 'trained' || e.type === 'error'));
      return done.length >= n && done;
    }, [visit, id, times], { timeoutMs: 60000, what: `${where}: ${id} to train` });
    const last = events.at(-1);
    assert.equal(last.type, 'trained', `${where}: ${id}: ${last.detail.message}`);
    assert.ok(last.detail.testAccuracy >= 0.8, `${where}: ${id}: test accuracy ${last.detail.testAccuracy}`);
  }
}

test('the workers counted are the widgets\': removing a widget ends its worker and frees its pixels; put back, it trains again', async () => {
  const { page, errors } = await openPage(browser);
  await page.addInitScript(RECORDER);
  await page.goto(`${server.origin}/`);
  await expectTrained(page, 0, ['circles', 'xor'], 'two widgets');
  await expectWorkers(page, 2, 'two widgets');
  const pixels = () => page.evaluate(() => [...window.xor.shadowRoot.querySelectorAll('canvas')].map((c) => c.width * c.height));
  await page.evaluate(() => { window.xor = document.getElementById('xor'); });
  assert.ok((await pixels()).every((n) => n > 0), 'the widget drew nothing');
  await page.evaluate(() => window.xor.remove());
  await expectWorkers(page, 1, 'one widget removed');
  assert.deepEqual(await pixels(), [0, 0], 'a removed widget keeps its canvases\' pixels');
  await page.evaluate(() => document.querySelector('.md-content article').append(window.xor));
  await expectTrained(page, 0, ['xor'], 'the widget put back', 2);
  await expectWorkers(page, 2, 'the widget put back');
  await waitForValue(page, () => [...window.xor.shadowRoot.querySelectorAll('canvas')].every((c) => c.width * c.height > 0), null,
    { what: 'the widget put back to draw again' });
  assert.deepEqual(errors, []);
  await page.context().close();
});

test(`${ROUNDS} rounds of instant navigation: one worker per widget on screen, nothing left behind, widgets train again`, async () => {
  const { page, errors } = await openPage(browser);
  await page.addInitScript(RECORDER);
  const cdp = await page.context().newCDPSession(page);
  const scripts = new Map(); // script id -> URL, to tell the widget's listeners from the theme's
  cdp.on('Debugger.scriptParsed', ({ scriptId, url }) => scripts.set(scriptId, url));
  await cdp.send('Debugger.enable');
  await page.goto(`${server.origin}/`);
  await page.evaluate(() => { window.ttDocument = Symbol('this document'); }); // gone if a click reloads the page
  const wasm = []; // the page's wasm memory, in bytes, at each visit of the first page
  let baseline = null, leftBooting = 0;

  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, at] of PAGES.entries()) {
      const visit = round * PAGES.length + index;
      const where = `round ${round + 1}, ${at.title}`;
      if (visit > 0) { // arrive by the previous page's link
        const from = PAGES[(index + PAGES.length - 1) % PAGES.length];
        await page.evaluate((v) => { window.ttVisit = v; }, visit);
        await page.locator('.md-content a', { hasText: from.next }).click();
      }
      await waitForValue(page, (title) => document.querySelector('.md-content h1')?.textContent === title, at.title,
        { timeoutMs: 30000, what: `${where}: the page` }).catch(async (err) => {
        const shown = await page.evaluate(() => `${location.pathname}, "${document.querySelector('.md-content h1')?.textContent}"`);
        throw new Error(`${err.message} (the page shows ${shown})`);
      });
      const state = await page.evaluate(() => ({ path: location.pathname, same: typeof window.ttDocument === 'symbol',
        ids: [...document.querySelectorAll('tiny-train')].map((w) => w.id) }));
      assert.equal(state.path, at.path, where);
      assert.ok(state.same, `${where}: the link reloaded the page instead of swapping its content`);
      assert.deepEqual(state.ids, at.widgets, where);
      // Every other round leaves each page at once, while its widgets still start their workers; the others wait
      // for them to train and count the workers.
      if (round % 2 === 1 && round < ROUNDS - 1) {
        leftBooting += await page.evaluate(() => [...document.querySelectorAll('tiny-train')].filter((w) => !w.trainer?.info).length);
        continue;
      }
      await expectTrained(page, visit, at.widgets, where);
      await expectWorkers(page, at.widgets.length, where);
      if (visit === 0) { // what the check below looks for is there while the widgets are
        assert.ok(await widgetListeners(cdp, scripts) > 0, 'the widgets\' listeners on the document are not found');
      }
      await page.evaluate(() => {
        for (const w of document.querySelectorAll('tiny-train')) {
          window.ttWidgets.push({ widget: new WeakRef(w), trainer: new WeakRef(w.trainer), predictor: new WeakRef(w.trainer.predictor) });
        }
      });
      if (at.widgets.includes('circles')) {
        // the widget predicts on the page: the centre and a corner of circles fall in different classes
        const answer = await page.evaluate(() => {
          const widget = document.getElementById('circles');
          const p = widget.trainer.predictor.predict(new Float32Array([0, 0, 0.95, 0.95]));
          return { differ: (p[0] > p[1]) !== (p[2] > p[3]), wasm: widget.trainer.predictor.constructor.memoryBytes() };
        });
        assert.ok(answer.differ, `${where}: the centre and the corner get the same class`);
        wasm.push(answer.wasm);
      }
      if (!at.widgets.length && round >= 1) { // no widget on screen: what the earlier ones left behind
        const now = await measure(page, cdp, scripts);
        baseline ??= now.heap;
        console.log(`${where}: JS heap ${(now.heap / 1048576).toFixed(2)} MiB (${((now.heap - baseline) / 1024).toFixed(0)} KiB ` +
          `more than in round 3); of ${now.seen} widgets seen, ${now.kept} kept by the theme, ${now.trainers} Trainers and ` +
          `${now.predictors} models alive, ${now.canvasPixels} canvas pixels; the page's wasm memory ${wasm.at(-1)} bytes`);
        assert.equal(now.trainers + now.predictors + now.keptTrainers, 0, `${where}: widgets that left keep their Trainers or models`);
        assert.equal(now.canvasPixels, 0, `${where}: widgets that left keep their canvases' pixels`);
        assert.equal(now.listeners, 0, `${where}: widgets that left still listen to the document or window`);
        assert.ok(now.heap - baseline <= HEAP_GROWTH_LIMIT,
          `${where}: the JS heap grew by ${now.heap - baseline} bytes since round 3 (limit ${HEAP_GROWTH_LIMIT})`);
      }
    }
  }
  console.log(`${leftBooting} widgets were left before their worker was up`);
  // The browser's Back button goes through the same instant navigation: back to the first page, whose widgets train.
  const visit = ROUNDS * PAGES.length;
  await page.evaluate((v) => { window.ttVisit = v; }, visit);
  for (const at of [PAGES[1], PAGES[0]]) {
    await page.goBack();
    await waitForValue(page, (title) => document.querySelector('.md-content h1')?.textContent === title, at.title,
      { what: `back to ${at.title}` });
  }
  assert.ok(await page.evaluate(() => typeof window.ttDocument === 'symbol'), 'Back reloaded the page');
  await expectTrained(page, visit, PAGES[0].widgets, 'back on the first page');
  await expectWorkers(page, PAGES[0].widgets.length, 'back on the first page');
  // Widgets that left the page say nothing more.
  const stray = await page.evaluate(() => window.ttEvents.filter((e) => !e.connected));
  assert.deepEqual(stray, [], 'events from widgets that had left the page');
  assert.ok(wasm.every((b) => b === wasm[0]), `the page's wasm memory grew over the rounds: ${wasm.join(', ')} bytes`);
  assert.deepEqual(errors, []);
  await page.context().close();
});

// Issue 21's plain words in <tiny-train>, in Chromium, as a documentation site embeds it (a fresh `dist` build
// under a strict CSP, tests/e2e/widget-host.mjs): the map has a colour legend that matches what it draws (a colour
// per class, training points filled, held-out points hollow) in light and dark; the terms the widget shows explain
// themselves on hover and on keyboard focus, inside the widget's box; all of it loads on demand, after the first
// training step or at the first hover or focus; and an overfitting run (few noisy points, a big network) says so
// under the chart and goes back to the weights of the lowest held-out loss, which evaluating them confirms. axe
// finds no serious or critical violation in those states, light and dark. One browser for the file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { waitForValue, screenshot } from './helpers.mjs';
import { startWidgetHost } from './widget-host.mjs';
import { seriousViolations } from './axe-check.mjs';
import { GLOSSARY } from '../../web/views/glossary.js';
import { CLASS_COLORS, rgbOf } from '../../web/views/palette.js';
import { makeDataset } from '../../web/datasets.js';
import { parseCsv } from '../../web/widget/csv.js';

const DIST = '/tests/artifacts/teach-widget-dist';

// Few noisy spiral points (48 to train on, 16 held out) for a 64-64 network: it memorises them.
const noisy = makeDataset('spiral', { n: 64, noise: 0.2, seed: 3, testFraction: 0 });
const CSV = `x0,x1,label\n${Array.from({ length: noisy.nTrain }, (_, i) =>
  `${noisy.x[2 * i].toFixed(4)},${noisy.x[2 * i + 1].toFixed(4)},${noisy.y[i]}`).join('\n')}\n`;
const held = parseCsv(CSV, 'noisy.csv', 1); // the split the widget makes (its seed is 1)

const PAGES = {
  gaussians: '<tiny-train id="g" demo="gaussians" steps="300" controls="lr batch-size"></tiny-train>',
  'gaussians-dark': '<tiny-train id="g" demo="gaussians" steps="300" theme="dark"></tiny-train>',
  overfit: '<tiny-train id="o" src="/tests/e2e/host/noisy.csv" layers="64 relu, 64 relu" lr="0.01" batch-size="48" ' +
    'speed="watch" steps="100000"></tiny-train>',
  'overfit-dark': '<tiny-train id="o" src="/tests/e2e/host/noisy.csv" layers="64 relu, 64 relu" lr="0.01" batch-size="48" ' +
    'speed="watch" steps="100000" theme="dark"></tiny-train>',
};

let host;
test.before(async () => {
  host = await startWidgetHost({ dist: DIST, pages: PAGES, files: { '/tests/e2e/host/noisy.csv': CSV } });
});
test.after(async () => { await host?.close(); });

const inShadow = (page, id, fn, arg) => page.evaluate(([i, f, a]) => (0, eval)(f)(document.getElementById(i).shadowRoot, a), [id, String(fn), arg]);
const visibleTips = (page, id) => inShadow(page, id, (root) => [...root.querySelectorAll('.tip')]
  .filter((t) => getComputedStyle(t).display !== 'none').map((t) => t.textContent));

// The map's pixel (device pixels of its backing store) at data point (x0, x1), as [r, g, b].
const mapPixel = (page, id, [x0, x1], [lo, hi]) => inShadow(page, id, (root, { x, range }) => {
  const map = root.querySelector('.map'), dpr = map.width / map.clientWidth;
  const px = ((x[0] - range[0]) / (range[1] - range[0])) * map.clientWidth, py = ((range[1] - x[1]) / (range[1] - range[0])) * map.clientHeight;
  return [...map.getContext('2d').getImageData(Math.floor(px * dpr), Math.floor(py * dpr), 1, 1).data.slice(0, 3)];
}, { x: [x0, x1], range: [lo, hi] });

// A point of xs (N, 2) with no other point of either set within `gap` data units: its mark is drawn alone.
function lonePoint(xs, all, gap) {
  for (let i = 0; i < xs.length / 2; i++) {
    const near = all.some((other) => {
      for (let j = 0; j < other.length / 2; j++) {
        if (other === xs && j === i) continue;
        if (Math.hypot(other[2 * j] - xs[2 * i], other[2 * j + 1] - xs[2 * i + 1]) < gap) return true;
      }
      return false;
    });
    if (!near) return i;
  }
  return -1;
}

const close = (rgb, hex, tolerance = 12) => rgbOf(hex).every((c, k) => Math.abs(c - rgb[k]) <= tolerance);

for (const [name, background] of [['gaussians', '#f6f8fa'], ['gaussians-dark', '#151b23']]) {
  test(`${name}: the legend loads on the first hover and matches the map: a colour per class, filled = trained on, hollow = held out`, async () => {
    const { page, requests, check } = await host.open(name);
    await waitForValue(page, () => /Ready/.test(document.getElementById('g').shadowRoot.querySelector('.status').textContent), null,
      { what: 'the widget to be ready' });
    await page.waitForTimeout(300);
    assert.equal(await inShadow(page, 'g', (root) => root.querySelector('.legend')), null, 'the plain words load before any hover or step');
    assert.ok(!requests.some((r) => /\/teach-[A-Z0-9]+\.js$/.test(r)), `loaded before it was needed: ${requests.join(' ')}`);
    await page.locator('#g canvas.map').hover();
    await waitForValue(page, () => document.getElementById('g').shadowRoot.querySelector('.legend:not([hidden])'), null,
      { what: 'the legend after a hover' });
    await screenshot(page.locator('#g'), `teach-widget-${name}`);
    const legend = await inShadow(page, 'g', (root) => ({
      text: root.querySelector('.legend').innerText.replace(/\s+/g, ' '),
      dots: [...root.querySelectorAll('.legend .dot')].map((d) => getComputedStyle(d).backgroundColor),
    }));
    console.log(`${name} legend: ${legend.text}`);
    assert.match(legend.text, /class 0 class 1 class 2 filled: trained on · hollow: held out · background: the model's answer/);
    assert.deepEqual(legend.dots, CLASS_COLORS.slice(0, 3).map((c) => `rgb(${rgbOf(c).join(', ')})`));
    // What the legend says is what the map draws: a lone training point's centre is its class colour, a lone
    // held-out point's is the surface (a ring of its class colour round it).
    const d = makeDataset('gaussians', { seed: 1, testFraction: 0.3 });
    const all = [d.x, d.testX];
    const train = lonePoint(d.x, all, 0.12), heldOut = lonePoint(d.testX, all, 0.12);
    assert.ok(train >= 0 && heldOut >= 0, 'no lone point to look at');
    const filled = await mapPixel(page, 'g', [d.x[2 * train], d.x[2 * train + 1]], d.domain);
    const hollow = await mapPixel(page, 'g', [d.testX[2 * heldOut], d.testX[2 * heldOut + 1]], d.domain);
    console.log(`training point (class ${d.y[train]}): rgb(${filled}); held-out point (class ${d.testY[heldOut]}): rgb(${hollow})`);
    assert.ok(close(filled, CLASS_COLORS[d.y[train]]), `the training point is not filled with its class colour: ${filled}`);
    assert.ok(close(hollow, background), `the held-out point is not hollow: ${hollow}`);
    await check();
  });
}

test('the terms the widget shows explain themselves on hover and on keyboard focus, inside the widget', async () => {
  const { page, check } = await host.open('gaussians', { width: 420, height: 900 });
  await waitForValue(page, () => /Ready/.test(document.getElementById('g').shadowRoot.querySelector('.status').textContent), null,
    { what: 'the widget to be ready' });
  // keyboard only: Tab into the widget (its first focus loads the words), then on to a term
  await page.keyboard.press('Tab');
  await waitForValue(page, () => document.getElementById('g').shadowRoot.querySelector('.term'), null, { what: 'the terms after a focus' });
  const terms = await inShadow(page, 'g', (root) => [...root.querySelectorAll('[data-term]')].map((t) => t.dataset.term));
  assert.deepEqual([...new Set(terms)].sort(), ['batch', 'epoch', 'held-out', 'learning rate', 'loss', 'overfitting', 'step']);
  assert.deepEqual(await visibleTips(page, 'g'), [], 'no explanation shows before it is asked for');
  let focused = null;
  for (let i = 0; i < 12 && focused !== 'loss'; i++) {
    await page.keyboard.press('Tab');
    focused = await inShadow(page, 'g', (root) => root.activeElement?.dataset?.term ?? null);
  }
  assert.equal(focused, 'loss', 'Tab never reached the "loss" term');
  assert.deepEqual(await visibleTips(page, 'g'), [GLOSSARY.loss]);
  const described = await inShadow(page, 'g', (root) => root.getElementById(root.activeElement.getAttribute('aria-describedby')).textContent);
  assert.equal(described, GLOSSARY.loss);
  // hover: the learning rate's explanation, wholly inside the widget (the host clips what leaves its box)
  await inShadow(page, 'g', (root) => root.activeElement.blur());
  await page.locator('#g [data-term="learning rate"]').hover();
  await waitForValue(page, (text) => {
    const tips = [...document.getElementById('g').shadowRoot.querySelectorAll('.tip')].filter((t) => getComputedStyle(t).display !== 'none');
    return tips.length === 1 && tips[0].textContent === text;
  }, GLOSSARY['learning rate'], { what: 'the learning rate\'s explanation on hover' });
  for (const term of ['learning rate', 'held-out', 'epoch']) {
    await page.locator(`#g [data-term="${term}"]`).first().hover();
    const box = await inShadow(page, 'g', (root, t) => {
      const tip = [...root.querySelectorAll(`[data-term="${t}"] .tip`)].find((e) => getComputedStyle(e).display !== 'none');
      const r = tip.getBoundingClientRect(), o = root.querySelector('.root').getBoundingClientRect();
      return { tip: [r.left, r.top, r.right, r.bottom], widget: [o.left, o.top, o.right, o.bottom] };
    }, term);
    assert.ok(box.tip[0] >= box.widget[0] && box.tip[1] >= box.widget[1] && box.tip[2] <= box.widget[2] && box.tip[3] <= box.widget[3],
      `"${term}": explanation at ${box.tip} leaves the widget at ${box.widget}`);
  }
  assert.equal(await inShadow(page, 'g', (root) => root.querySelector('.step').title), '10 training steps');
  await check();
});

for (const name of ['overfit', 'overfit-dark']) {
  test(`${name}: held-out loss climbing while training loss falls is named on the chart, and "stop at the best held-out step" restores those weights`, async () => {
    const { page, check } = await host.open(name);
    await waitForValue(page, () => /Ready/.test(document.getElementById('o').shadowRoot.querySelector('.status').textContent), null,
      { what: 'the widget to be ready' });
    await page.locator('#o .go').click(); // the words load with the first step, not with this click
    await waitForValue(page, () => { const box = document.getElementById('o').shadowRoot.querySelector('.overfit'); return box && !box.hidden; },
      null, { what: 'the overfitting hint', timeoutMs: 60000 });
    const hint = await inShadow(page, 'o', (root) => root.querySelector('.overfit').innerText.replace(/\s+/g, ' '));
    console.log(`hint: ${hint}`);
    assert.match(hint, /^Overfitting: the held-out \(test\) loss has risen since step \d+ .* while the training loss keeps falling/);
    const stop = page.locator('#o .stop-best');
    await waitForValue(page, () => !document.getElementById('o').shadowRoot.querySelector('.stop-best').hidden, null,
      { what: 'the button back to the best step' });
    const label = await stop.textContent();
    const [, bestStep, bestLoss] = /^Stop at the best held-out step \((\d+), test loss ([\d.]+)\)$/.exec(label).map(Number);
    await screenshot(page.locator('#o'), `teach-widget-${name}`);
    // axe on the hint and its button, light or dark
    assert.deepEqual(await seriousViolations(page, `${name} with the overfitting hint`), []);
    await stop.click();
    const latest = await page.evaluate(() => document.getElementById('o').trainer.progress.testLoss);
    await waitForValue(page, () => /^Back at step \d+/.test(document.getElementById('o').shadowRoot.querySelector('.status').textContent), null,
      { what: 'the widget back at the best step' });
    await waitForValue(page, (s) => document.getElementById('o').shadowRoot.querySelector('.s-step').textContent === String(s), bestStep,
      { what: 'the counters at the best step (drawn in a frame)' });
    const after = await page.evaluate(() => {
      const el = document.getElementById('o'), root = el.shadowRoot;
      return { running: el.trainer.running, snapshot: el.trainer.lastSnapshot.step, step: root.querySelector('.s-step').textContent,
        hidden: root.querySelector('.overfit').hidden, go: root.querySelector('.go').textContent, status: root.querySelector('.status').textContent };
    });
    console.log(`best held-out step ${bestStep} (test loss ${bestLoss}); ${after.status}`);
    await screenshot(page.locator('#o'), `teach-widget-${name}-back`);
    assert.deepEqual([after.running, after.snapshot, Number(after.step), after.hidden, after.go], [false, bestStep, bestStep, true, 'Train']);
    // The page's predictor has those weights: its held-out loss, evaluated here, is the kept one.
    const loss = await page.evaluate(([x, y]) => document.getElementById('o').trainer.predictor
      .evaluate(Float32Array.from(x), Int32Array.from(y)).loss, [[...held.testX], [...held.testY]]);
    console.log(`held-out loss of the page's model after going back: ${loss.toFixed(4)}`);
    assert.ok(Math.abs(loss - bestLoss) < 6e-4, `held-out loss ${loss}, kept ${bestLoss}`);
    // And so has the worker: ten steps later its held-out loss is near the kept one, not the latest.
    await page.locator('#o .step').click();
    await waitForValue(page, (s) => document.getElementById('o').trainer.progress?.step === s + 10, bestStep, { what: '10 more steps' });
    const resumed = await page.evaluate(() => document.getElementById('o').trainer.progress.testLoss);
    console.log(`10 steps later: held-out loss ${resumed.toFixed(4)}`);
    assert.ok(Math.abs(resumed - bestLoss) < Math.abs(latest - bestLoss) / 2,
      `held-out loss ${resumed} 10 steps after going back to ${bestLoss} (it was ${latest} before)`);
    await check();
  });
}

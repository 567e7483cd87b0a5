// Issue 21 in a dark colour scheme, in Chromium: the playground's decision map, a compared run's small map, the
// network drawing (and a unit's large map) and the loss chart are painted on the page's dark surface, also after
// the scheme changes while the page is open; the digits and text pages' charts (and the attention map) too.
// Measured on the canvases' pixels: the share of bright pixels (what a light background leaves) and the median
// brightness. One browser for the file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, waitForValue, screenshot } from './helpers.mjs';

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { await env?.close(); });

const checkNoErrors = (errors) => assert.deepEqual(errors, [], `errors on the page:\n${errors.join('\n')}`);

// For each canvas (a CSS selector; its first match): the share of its painted pixels brighter than 200 of 255
// (relative luminance) and their median brightness. Fully transparent pixels show the page and are skipped.
const brightness = (page, selectors) => page.evaluate((list) => Object.fromEntries(list.map((selector) => {
  const c = document.querySelector(selector);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, levels = [];
  for (let k = 0; k < d.length; k += 4) {
    if (d[k + 3] > 0) levels.push(0.2126 * d[k] + 0.7152 * d[k + 1] + 0.0722 * d[k + 2]);
  }
  levels.sort((a, b) => a - b);
  const bright = levels.filter((v) => v > 200).length / Math.max(1, levels.length);
  return [selector, { bright: +bright.toFixed(3), median: Math.round(levels[levels.length >> 1] ?? -1), pixels: levels.length }];
})), selectors);

const DARK_MAX_BRIGHT = 0.01; // a dark surface: almost no pixel as bright as a light background
const LIGHT_MIN_BRIGHT = 0.3;

function checkDark(measured, what) {
  for (const [selector, m] of Object.entries(measured)) {
    assert.ok(m.pixels > 100, `${what}: ${selector} is blank (${JSON.stringify(m)})`);
    assert.ok(m.bright <= DARK_MAX_BRIGHT && m.median < 100,
      `${what}: ${selector} is painted on a light surface in dark mode: ${(100 * m.bright).toFixed(1)}% bright pixels, median ${m.median}`);
  }
}

// The page's counters of finished paints: the main map, the small maps and the network drawing.
const paintCounts = (page) => page.evaluate(() => ({
  map: window.playground.stats.paints, card: window.playground.mainCard.paints,
  run: window.playground.runs[0]?.paints ?? 0, network: window.playground.network.updates,
}));

test('playground: the maps, the network and the chart follow the colour scheme, also when it changes', async () => {
  const { page, context, errors } = await openPage(env.browser, { colorScheme: 'light' });
  await page.goto(`${env.origin}/demos/playground/#ds=circles&layers=6:tanh,4:tanh&steps=300&vs=seed=2`);
  await waitForValue(page, () => window.playground?.stats.paints > 0 && window.playground.mainCard.paints > 0 &&
    window.playground.runs[0]?.paints > 0 && window.playground.network.updates > 0, null,
  { what: 'the maps and the network drawn', timeoutMs: 30000 });
  const canvases = ['#map', 'li.run:nth-of-type(1) .run-map', 'li.run:nth-of-type(2) .run-map', '#network', '#loss-chart'];
  const light = await brightness(page, canvases);
  console.log(`light: ${JSON.stringify(light)}`);
  // The measure tells the surfaces apart: the maps on a light background are mostly bright.
  for (const selector of ['#map', 'li.run:nth-of-type(2) .run-map']) {
    assert.ok(light[selector].bright >= LIGHT_MIN_BRIGHT, `light: ${selector} ${JSON.stringify(light[selector])}`);
  }

  // The reader's system turns dark while the page is open: everything is repainted on the dark surface.
  const before = await paintCounts(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  await waitForValue(page, (b) => {
    const s = window.playground;
    return s.stats.paints > b.map && s.mainCard.paints > b.card && s.runs[0].paints > b.run && s.network.updates > b.network;
  }, before, { what: 'a repaint after the scheme changed', timeoutMs: 10000 });
  await page.waitForTimeout(300); // the chart's next redraw
  const dark = await brightness(page, canvases);
  console.log(`dark after the change: ${JSON.stringify(dark)}`);
  checkDark(dark, 'after the change');

  // Trained a little, with the page dark from the start; input x1's large map too (its values cross 0 mid-plane,
  // where the map shows the surface).
  const { page: darkPage, context: darkContext, errors: darkErrors } = await openPage(env.browser, { colorScheme: 'dark' });
  await darkPage.goto(`${env.origin}/demos/playground/#ds=circles&layers=6:tanh,4:tanh&steps=200&speed=fast&vs=seed=2`);
  await waitForValue(darkPage, () => window.playground?.stats.paints > 0 && window.playground.runs[0]?.paints > 0,
    null, { what: 'the dark page drawn', timeoutMs: 30000 });
  await darkPage.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForValue(darkPage, () => window.playground.trainer.lastSnapshot?.step === 200 &&
    window.playground.runs[0].trainer.lastSnapshot?.step === 200, null, { what: 'both runs at step 200', timeoutMs: 30000 });
  const trained = await paintCounts(darkPage);
  await waitForValue(darkPage, (b) => window.playground.stats.paints > b.map && window.playground.runs[0].paints > b.run,
    trained, { what: 'the trained maps painted' }).catch(() => {}); // already painted at step 200 is fine too
  await darkPage.locator('#network').scrollIntoViewIfNeeded();
  const box = await darkPage.evaluate(() => window.playground.network.box(0, 0));
  const canvas = await darkPage.locator('#network').boundingBox();
  await darkPage.mouse.move(canvas.x + box.x + box.size / 2, canvas.y + box.y + box.size / 2);
  await waitForValue(darkPage, () => !document.getElementById('unit-zoom').hidden, null, { what: 'the large map' });
  const darkTrained = await brightness(darkPage, [...canvases, '#unit-zoom']);
  console.log(`dark, trained: ${JSON.stringify(darkTrained)}`);
  await screenshot(darkPage, 'playground-dark');
  checkDark(darkTrained, 'dark from the start, trained');
  await darkContext.close();
  await context.close();
  checkNoErrors([...errors, ...darkErrors]);
});

test('digits and text: the charts (and the attention map) are drawn on the dark surface, also when the scheme changes', async () => {
  for (const [path, charts] of [['digits', ['#loss-chart', '#acc-chart']], ['text', ['#loss-chart', '#attention']]]) {
    const { page, context, errors } = await openPage(env.browser, { colorScheme: 'light' });
    await page.goto(`${env.origin}/demos/${path}/`);
    await waitForValue(page, () => document.body.dataset.ready === '1', null, { what: `the ${path} page`, timeoutMs: 30000 });
    const light = await brightness(page, charts);
    for (const [selector, m] of Object.entries(light)) assert.ok(m.bright >= LIGHT_MIN_BRIGHT, `${path} light: ${selector} ${JSON.stringify(m)}`);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(300); // a redraw
    const measured = await brightness(page, charts);
    console.log(`${path}, dark: ${JSON.stringify(measured)}`);
    checkDark(measured, path);
    await context.close();
    checkNoErrors(errors);
  }
});

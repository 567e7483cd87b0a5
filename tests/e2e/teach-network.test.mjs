// Issue 21's network drawing on the playground, in Chromium: a column per layer, each unit a small map over the
// plane, updated from the page's snapshots while training (no long tasks); pointing at a unit shows its map large.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, waitForValue, watchLongTasks, checkLongTasks } from './helpers.mjs';

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { await env?.close(); });

// A cheap fingerprint of a canvas's pixels.
const canvasHash = (page, id) => page.evaluate((i) => {
  const c = document.getElementById(i), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let h = 2166136261;
  for (let k = 0; k < d.length; k += 4) h = Math.imul(h ^ (d[k] | (d[k + 1] << 8) | (d[k + 2] << 16)), 16777619);
  return h >>> 0;
}, id);

test('the network is drawn layer by layer, follows training, and shows a unit large on hover', async () => {
  const { page, context, errors } = await openPage(env.browser);
  await page.goto(`${env.origin}/demos/playground/#ds=circles&layers=8:tanh,6:relu&speed=fast&steps=1000000`);
  await waitForValue(page, () => window.playground?.network.updates > 0, null, { what: 'the first network drawing' });
  assert.deepEqual(await page.evaluate(() => window.playground.network.columns), [2, 8, 6, 2], 'inputs, 8, 6, outputs');
  assert.equal(await page.isVisible('#network-section'), true);
  const before = await canvasHash(page, 'network');
  const updates = await page.evaluate(() => window.playground.network.updates);
  await watchLongTasks(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForValue(page, (u) => window.playground.network.updates >= u + 3 && window.playground.trainer.progress?.step > 2000,
    updates, { what: 'the drawing to follow training', timeoutMs: 20000 });
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.waitForTimeout(600); // the last snapshot drawn
  assert.notEqual(await canvasHash(page, 'network'), before, 'the drawing did not change while training');
  await checkLongTasks(page, 'training with the network drawn');

  // Pointing at layer 1's first unit shows its map large, named.
  await page.locator('#network').scrollIntoViewIfNeeded();
  const box = await page.evaluate(() => window.playground.network.box(1, 0));
  const canvas = await page.locator('#network').boundingBox();
  await page.mouse.move(canvas.x + box.x + box.size / 2, canvas.y + box.y + box.size / 2);
  await waitForValue(page, () => !document.getElementById('unit-zoom').hidden, null, { what: 'the large map' });
  assert.match(await page.getAttribute('#unit-zoom', 'aria-label'), /layer 1, unit 1/);
  const zoom = await page.evaluate(() => {
    const c = document.getElementById('unit-zoom'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    for (let k = 0; k < d.length; k += 4 * 37) colours.add(`${d[k]},${d[k + 1]},${d[k + 2]}`);
    return { width: c.width, colours: colours.size };
  });
  assert.ok(zoom.width >= 64 && zoom.colours > 10, `the large map is blank: ${JSON.stringify(zoom)}`);
  await page.mouse.move(canvas.x + 2, canvas.y + canvas.height - 2);
  await waitForValue(page, () => document.getElementById('unit-zoom').hidden, null, { what: 'the large map to go' });
  await context.close();
  assert.deepEqual(errors, []);
});

test('a regression (one input) has no network drawing, and says nothing wrong', async () => {
  const { page, context, errors } = await openPage(env.browser);
  await page.goto(`${env.origin}/demos/playground/#ds=sine`);
  await waitForValue(page, () => window.playground?.stats.paints > 0, null, { what: 'the first paint' });
  await page.waitForTimeout(300);
  assert.equal(await page.isVisible('#network-section'), false);
  await context.close();
  assert.deepEqual(errors, []);
});

// Issue 21 on a phone (390x844, touch): Train and the map (or the pad) are on the first screen with the settings
// after them (the playground's Train right under the map, at least 84 px above the screen's end), and no
// `touch-action: none` covers most of the width, so a vertical swipe scrolls the page (touch events through CDP).
// One browser for the file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, waitForValue, screenshot } from './helpers.mjs';

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { await env?.close(); });

const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 1 };
const checkNoErrors = (errors) => assert.deepEqual(errors, [], `errors on the page:\n${errors.join('\n')}`);

// Boxes (page coordinates) of the elements matched by each selector.
const boxes = (page, selectors) => page.evaluate((list) => Object.fromEntries(list.map((s) => {
  const r = document.querySelector(s).getBoundingClientRect();
  return [s, { top: r.top + scrollY, bottom: r.bottom + scrollY, width: r.width }];
})), selectors);

// The widest element whose touch-action stops the browser from panning vertically, as a share of the viewport.
const widestTouchTrap = (page) => page.evaluate(() => {
  let widest = { share: 0, what: '' };
  for (const el of document.querySelectorAll('body *')) {
    const ta = getComputedStyle(el).touchAction;
    if (ta !== 'none' && !/pinch-zoom|pan-x/.test(ta) || /pan-y|manipulation|auto/.test(ta)) continue;
    const share = el.getBoundingClientRect().width / innerWidth;
    if (share > widest.share) widest = { share, what: `${el.tagName.toLowerCase()}#${el.id} (${ta})` };
  }
  return widest;
});

// A one-finger swipe up from (x, y), as touch events through CDP (the browser pans unless touch-action forbids it);
// returns how far the page scrolled.
async function swipeUp(page, x, y) {
  const cdp = await page.context().newCDPSession(page);
  const before = await page.evaluate(() => scrollY);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
  for (let i = 1; i <= 10; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y: y - 30 * i }] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await page.waitForTimeout(300);
  const after = await page.evaluate(() => scrollY);
  await page.evaluate(() => scrollTo(0, 0));
  await cdp.detach();
  return after - before;
}

// margin: room left under the control, so it is not squeezed against the screen's edge (or a browser's toolbar).
function checkFirstScreen(b, { control, view, settings, margin = 0 }) {
  assert.ok(b[control].bottom <= 844 - margin, `${control} ends at ${b[control].bottom}px, less than ${margin}px above the first screen's end`);
  assert.ok(b[view].bottom <= 844, `${view} ends at ${b[view].bottom}px, below the first screen`);
  assert.ok(b[settings].top > Math.max(b[control].top, b[view].top), `the settings (${b[settings].top}px) come first`);
}

test('playground on a phone: Train and the map on the first screen, settings after; a swipe on the map scrolls', async () => {
  const { page, context, errors } = await openPage(env.browser, PHONE);
  await page.goto(`${env.origin}/demos/playground/`);
  await waitForValue(page, () => window.playground?.stats.paints > 0, null, { what: 'the first map paint' });
  const b = await boxes(page, ['#train', '#map', '#config']);
  console.log(`phone playground: Train ends at ${b['#train'].bottom}px, the map at ${b['#map'].bottom}px, settings start at ${b['#config'].top}px`);
  await screenshot(page, 'playground-phone');
  checkFirstScreen(b, { control: '#train', view: '#map', settings: '#config', margin: 84 });
  assert.ok(b['#train'].top > b['#map'].bottom, 'Train comes after the map');
  const trap = await widestTouchTrap(page);
  assert.ok(trap.share < 0.5, `${trap.what} blocks vertical swipes over ${(100 * trap.share).toFixed(0)}% of the width`);
  const map = await page.locator('#map').boundingBox();
  const scrolled = await swipeUp(page, map.x + map.width / 2, map.y + map.height / 2);
  assert.ok(scrolled > 100, `a swipe up on the map scrolled ${scrolled}px`);
  // A tap still asks the model.
  await page.touchscreen.tap(map.x + map.width / 3, map.y + map.height / 3);
  await waitForValue(page, () => /→/.test(document.getElementById('probe').textContent), null, { what: 'the tap answered' });
  await context.close();
  checkNoErrors(errors);
});

test('digits on a phone: Train and the pad on the first screen, settings after; swipes beside the pad scroll', async () => {
  const { page, context, errors } = await openPage(env.browser, PHONE);
  await page.goto(`${env.origin}/demos/digits/`);
  await waitForValue(page, () => document.body.dataset.ready === '1', null, { what: 'the page' });
  const b = await boxes(page, ['#train', '#pad', '#config']);
  console.log(`phone digits: Train ends at ${b['#train'].bottom}px, the pad at ${b['#pad'].bottom}px, settings start at ${b['#config'].top}px`);
  await screenshot(page, 'digits-phone');
  checkFirstScreen(b, { control: '#train', view: '#pad', settings: '#config' });
  const trap = await widestTouchTrap(page);
  assert.ok(trap.share < 0.5, `${trap.what} blocks vertical swipes over ${(100 * trap.share).toFixed(0)}% of the width`);
  const pad = await page.locator('#pad').boundingBox();
  const scrolled = await swipeUp(page, pad.x + pad.width + (390 - pad.x - pad.width) / 2, pad.y + pad.height / 2);
  assert.ok(scrolled > 100, `a swipe up beside the pad scrolled ${scrolled}px`);
  await context.close();
  checkNoErrors(errors);
});

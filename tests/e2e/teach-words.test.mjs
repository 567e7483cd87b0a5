// Issue 21's plain words, in Chromium: the playground's map has a colour legend (a colour per class, filled =
// trained on, hollow = held out) and the pages' terms (step, epoch, batch, loss, FLOP, learning rate, optimizer,
// held-out, overfitting) explain themselves on hover and on keyboard focus. One browser for the file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, waitForValue } from './helpers.mjs';
import { GLOSSARY } from '../../web/views/glossary.js';

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { await env?.close(); });

const checkNoErrors = (errors) => assert.deepEqual(errors, [], `errors on the page:\n${errors.join('\n')}`);
const visibleTips = (page) => page.evaluate(() => [...document.querySelectorAll('.tip')]
  .filter((t) => getComputedStyle(t).display !== 'none').map((t) => t.textContent));

test('playground: a colour legend for the map, and every glossary term explained on hover and on focus', async () => {
  const { page, context, errors } = await openPage(env.browser);
  await page.goto(`${env.origin}/demos/playground/#ds=gaussians`);
  await waitForValue(page, () => window.playground?.stats.paints > 0, null, { what: 'the first map paint' });
  const legend = await page.evaluate(() => document.getElementById('legend').innerText);
  assert.match(legend, /class 0[\s\S]*class 1[\s\S]*class 2/, legend);
  assert.match(legend, /filled: trained on · hollow: held out/, legend);
  const terms = await page.evaluate(() => [...new Set([...document.querySelectorAll('[data-term]')].map((e) => e.dataset.term))]);
  assert.deepEqual(terms.sort(), Object.keys(GLOSSARY).sort(), 'a term of the glossary is not on the page');
  assert.deepEqual(await visibleTips(page), [], 'no explanation shows before it is asked for');
  await page.locator('[data-term="learning rate"]').hover();
  assert.deepEqual(await visibleTips(page), [GLOSSARY['learning rate']]);
  // keyboard: the term takes focus, its explanation shows and is its description
  await page.mouse.move(0, 0);
  await page.locator('[data-term="epoch"]').focus();
  assert.deepEqual(await visibleTips(page), [GLOSSARY.epoch]);
  const described = await page.locator('[data-term="epoch"]').evaluate((e) => document.getElementById(e.getAttribute('aria-describedby')).textContent);
  assert.equal(described, GLOSSARY.epoch);
  // the label a reader sees, and the name a screen reader gives the field, leave the explanation out
  assert.equal(await page.getByRole('spinbutton', { name: 'Learning rate', exact: true }).count(), 1);
  assert.equal(await page.getByRole('spinbutton', { name: 'Share of points held out for testing', exact: true }).count(), 1);
  await context.close();
  checkNoErrors(errors);
});

test('digits: its terms are explained too', async () => {
  const { page, context, errors } = await openPage(env.browser);
  await page.goto(`${env.origin}/demos/digits/`);
  await waitForValue(page, () => document.body.dataset.ready === '1', null, { what: 'the page' });
  for (const term of ['step', 'loss', 'held-out', 'epoch', 'batch', 'learning rate', 'optimizer', 'FLOP']) {
    await page.locator(`[data-term="${term}"]`).first().focus();
    assert.deepEqual(await visibleTips(page), [GLOSSARY[term]], term);
  }
  await context.close();
  checkNoErrors(errors);
});

// Issue 21's overfitting made visible on the Digits page, in Chromium: trained on with a big learning rate, the
// held-out loss (drawn beside the training loss) climbs while the training loss falls; the page says so under the
// charts, "overfitting" explains itself, and "Stop at the best held-out step" goes back to the weights of the
// lowest held-out loss: the weights the page then saves score that loss on the held-out digits, evaluated here.
// axe finds no serious or critical violation with the hint shown, light and dark. No console errors.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startBrowser, openPage, waitForValue, screenshot } from './helpers.mjs';
import { seriousViolations } from './axe-check.mjs';
import { GLOSSARY } from '../../web/views/glossary.js';
import { Model } from '../../wasm/tinytrain.js';
import { loadMnistNode } from '../../tools/mnist-data.mjs';

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { await env?.close(); });

const text = (page, id) => page.evaluate((i) => document.getElementById(i).textContent, id);
const heldOut = loadMnistNode('test');

for (const colorScheme of ['light', 'dark']) {
  test(`digits (${colorScheme}): held-out loss climbing while training loss falls is named, and "stop at the best held-out step" restores those weights`, async () => {
    const { page, context, errors } = await openPage(env.browser, { viewport: { width: 1280, height: 1400 }, colorScheme, bypassCSP: true });
    await page.goto(`${env.origin}/demos/digits/`);
    await waitForValue(page, () => /MLP.*% right on the held-out/.test(document.getElementById('predictor-name').textContent),
      null, { what: 'the pretrained MLP', timeoutMs: 60000 });
    await waitForValue(page, () => !document.getElementById('train').disabled, null, { what: 'the data', timeoutMs: 60000 });
    assert.equal(await page.isVisible('#overfit-box'), false);
    // From the pretrained MLP, a learning rate ten times Adam's usual memorises the 8,000 training digits.
    await page.fill('#lr', '0.01');
    await page.fill('#epochs', '30');
    assert.equal(await page.inputValue('#speed'), 'watch');
    await page.locator('#train').click();
    await waitForValue(page, () => !document.getElementById('overfit-box').hidden && !document.getElementById('stop-best').hidden,
      null, { what: 'the overfitting hint and its button', timeoutMs: 120000 });
    const hint = await text(page, 'overfit');
    console.log(`hint: ${hint}`);
    assert.match(hint, /^the held-out \(test\) loss has risen since step \d+ .* while the training loss keeps falling/);
    await page.locator('[data-term="overfitting"]').focus();
    assert.equal(await page.locator('[data-term="overfitting"] .tip').textContent(), GLOSSARY.overfitting);
    await screenshot(page.locator('#training-section'), `teach-digits-overfit-${colorScheme}`);
    assert.deepEqual(await seriousViolations(page, `digits with the overfitting hint (${colorScheme})`), []);
    const stop = page.locator('#stop-best');
    const [, bestStep, bestLoss] = /^Stop at the best held-out step \((\d+), test loss ([\d.]+)\)$/.exec(await stop.textContent()).map(Number);
    await stop.click();
    await waitForValue(page, (s) => document.getElementById('predictor-name').textContent.includes(`back at step ${s}`), bestStep,
      { what: 'the pad back at the best step' });
    assert.equal(await page.isVisible('#overfit-box'), false);
    assert.equal(Number(await text(page, 'stat-step')), bestStep);
    // The model on the pad has the weights of that step: saved and evaluated here, its held-out loss is the kept one.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download weights' }).click()]);
    const model = await Model.load(new Uint8Array(await readFile(await download.path())));
    const { loss, accuracy } = model.evaluate(heldOut.x, heldOut.y);
    model.dispose();
    console.log(`best held-out step ${bestStep} (test loss ${bestLoss}); the saved model: held-out loss ${loss.toFixed(4)}, accuracy ${accuracy}`);
    assert.ok(Math.abs(loss - bestLoss) < 6e-4, `held-out loss ${loss}, kept ${bestLoss}`);
    // The gallery scores the same weights.
    await waitForValue(page, (a) => Math.abs(Number(document.getElementById('gallery-status').dataset.accuracy) - a) < 1e-6, accuracy,
      { what: 'the gallery to score the weights of the best step', timeoutMs: 30000 });
    // Train continues from there.
    await page.fill('#epochs', '1');
    await page.locator('#train').click();
    await waitForValue(page, (s) => Number(document.getElementById('stat-step').textContent) > s, bestStep, { what: 'training to go on' });
    await page.locator('#pause').click();
    await context.close();
    assert.deepEqual(errors, []);
  });
}

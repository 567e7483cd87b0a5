// Issue 21's bugs a first-time reader hit on the playground, the article and the index, in Chromium: a link with
// one bad setting keeps the rest and says what was wrong in the form's words; a run ends after its steps and a
// hidden tab pauses it; overfitting is named; latency readings settle and never read 0; reduced motion paints
// the article's maps at once and slows the playground's; dark-mode buttons are readable; landmarks and region
// names. One browser for the file; no console errors.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, waitForValue, setTabHidden } from './helpers.mjs';

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { await env?.close(); });

const checkNoErrors = (errors) => assert.deepEqual(errors, [], `errors on the page:\n${errors.join('\n')}`);

async function openPlayground(hash = '', contextOptions = {}) {
  const { page, context, errors } = await openPage(env.browser, contextOptions);
  await page.goto(`${env.origin}/demos/playground/${hash}`);
  await waitForValue(page, () => window.playground?.stats.paints > 0, null, { what: 'the first map paint' });
  return { page, context, errors };
}

const message = (page) => page.evaluate(() => {
  const el = document.getElementById('message');
  return el.hidden ? '' : el.textContent;
});
const stepOf = (page) => page.evaluate(() => window.playground.trainer.progress?.step ?? 0);

test('a link with one bad setting keeps the others, names the real limit in plain words and corrects the address bar', async () => {
  const { page, context, errors } = await openPlayground('#ds=moons&n=300&layers=2000:relu,8:tanh&seed=5');
  const msg = await message(page);
  console.log(`bad link: ${msg}`);
  assert.match(msg, /Layer 1 units: expected a whole number from 1 to 128, got "2000"/);
  assert.doesNotMatch(msg, /layers\[|units:activation/, 'the limit, not the format, is what is wrong');
  const config = await page.evaluate(() => window.playground.config);
  assert.deepEqual([config.dataset, config.n, config.seed], ['moons', 300, 5], 'the good settings of the link are kept');
  const hash = await page.evaluate(() => location.hash);
  assert.doesNotMatch(hash, /2000:relu/, `the bad setting is gone from the address bar: ${hash}`);
  assert.match(hash, /ds=moons/);
  await context.close();
  checkNoErrors(errors);
});

test('a hand-written #ds=sine is a regression that trains, with no message', async () => {
  const { page, context, errors } = await openPlayground('#ds=sine');
  assert.equal(await message(page), '');
  assert.equal((await page.evaluate(() => window.playground.config)).loss, 'mse');
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await waitForValue(page, () => Number(document.getElementById('stat-step').dataset.value) === 10, null, { what: 'step 10' });
  // the sine's small map is faster than the clock can tell: never shown as 0
  const map = await page.textContent('#stat-map');
  console.log(`sine map: ${map}`);
  assert.doesNotMatch(map, /(^|[^.\d])0(\.0+)? (ms|µs)/, `a zero time: ${map}`);
  await context.close();
  checkNoErrors(errors);
});

test('typed units out of range say so; an applied change clears an old "Not applied"', async () => {
  const { page, context, errors } = await openPlayground();
  const units = page.getByLabel('Layer 1 units');
  await units.fill('2000');
  await units.press('Enter');
  await units.blur();
  await waitForValue(page, () => !document.getElementById('message').hidden, null, { what: 'a message about the units' });
  assert.match(await message(page), /layer 1 can have 1 to 128 units.*got "2000"; it keeps 16/);
  assert.equal(await units.inputValue(), '16');
  await page.fill('#noise', '0.2');
  await page.press('#noise', 'Enter');
  await page.locator('#noise').blur();
  await waitForValue(page, () => window.playground.config.noise === 0.2, null, { what: 'the noise applied' });
  assert.equal(await message(page), '', 'the old message outlived a later rebuild');
  await context.close();
  checkNoErrors(errors);
});

test('a run ends after its steps; a hidden tab pauses training and showing it resumes the run', async () => {
  const { page, context, errors } = await openPlayground('#ds=circles&steps=400000');
  await page.getByRole('button', { name: 'Train' }).click();
  await waitForValue(page, () => window.playground.trainer.running && window.playground.trainer.progress?.step > 0, null,
    { what: 'training' });
  // The tab goes to the background.
  const setHidden = (hidden) => setTabHidden(page, hidden);
  await setHidden(true);
  await waitForValue(page, () => !window.playground.trainer.running, null, { what: 'training to pause in a hidden tab' });
  const paused = await stepOf(page);
  await page.waitForTimeout(500);
  assert.equal(await stepOf(page), paused, 'training went on in a hidden tab');
  assert.match(await page.textContent('#status'), /paused while the tab is hidden/);
  await setHidden(false);
  await waitForValue(page, (s) => window.playground.trainer.running && window.playground.trainer.progress.step > s, paused,
    { what: 'training to resume when the tab is shown' });
  await page.getByRole('button', { name: 'Pause' }).click();
  await context.close();
  checkNoErrors(errors);

  const run = await openPlayground('#ds=circles&steps=300');
  await run.page.getByRole('button', { name: 'Train' }).click();
  await waitForValue(run.page, () => /^finished/.test(document.getElementById('status').textContent), null,
    { what: 'the run to finish by itself' });
  assert.equal(await stepOf(run.page), 300);
  await run.page.getByRole('button', { name: 'Train' }).click(); // another run of 300
  await waitForValue(run.page, () => window.playground.trainer.progress.step === 600 && !window.playground.trainer.running,
    null, { what: 'the second run to end at step 600' });
  await run.context.close();
  checkNoErrors(run.errors);
});

test('held-out loss climbing while training loss falls is named overfitting', async () => {
  // 30 noisy training points, all in every batch, and a wide network: it memorises them.
  const { page, context, errors } = await openPlayground('#ds=spiral&noise=0.5&n=60&test=0.5&layers=64:relu,64:relu&lr=0.01&bs=30&steps=20000&speed=fast');
  assert.equal(await page.isVisible('#overfit'), false);
  // Every snapshot's weights by step, as the page received them from the worker (the kept one is among them).
  await page.evaluate(() => {
    const t = window.playground.trainer;
    window.snapshots = new Map();
    t.addEventListener('snapshot', () => window.snapshots.set(t.lastSnapshot.step, t.lastSnapshot.weights));
  });
  await page.getByRole('button', { name: 'Train' }).click();
  await waitForValue(page, () => !document.getElementById('overfit-box').hidden, null, { timeoutMs: 30000, what: 'the overfitting hint' });
  const hint = await page.textContent('#overfit');
  console.log(`hint: ${hint}`);
  assert.match(hint, /^the held-out \(test\) loss has risen since step \d+/);
  // The snapshot with the lowest held-out loss is kept, and one press goes back to it. The press waits until the run
  // is 2,000 steps past the kept step, so the weights it replaces are far from the kept ones however fast this
  // machine trains (the hint shows at the first held-out measurement 1.2x above the lowest, which on a slow machine
  // comes only a few steps later).
  const stop = page.getByRole('button', { name: /^Stop at the best held-out step/ });
  await stop.waitFor();
  await waitForValue(page, () => !window.playground.trainer.running ||
    window.playground.trainer.progress.step >= window.playground.best.step + 2000, null,
  { what: '2,000 steps past the kept step', timeoutMs: 30000 });
  await stop.click();
  await waitForValue(page, () => /^back at step \d+/.test(document.getElementById('status').textContent), null,
    { what: 'the page back at the kept step' });
  // The kept step, read after the press (a later held-out measurement could still have lowered it before), and the
  // pause's progress: the held-out loss of the weights the press replaced.
  const best = await page.evaluate(() => window.playground.best);
  const replaced = await page.evaluate(() => window.playground.trainer.progress);
  console.log(`best held-out step ${best.step} (test loss ${best.loss.toFixed(3)}); replaced step ${replaced.step}, test loss ${replaced.testLoss.toFixed(3)}`);
  assert.ok(best.step < replaced.step && best.loss < replaced.testLoss, 'the kept step is the better, earlier one');
  assert.equal(replaced.metricsStep, replaced.step, 'the pause measured the replaced weights\' held-out loss');
  assert.match(await page.textContent('#status'), new RegExp(`^back at step ${best.step},`));
  const after = await page.evaluate(() => ({ running: window.playground.trainer.running, snap: window.playground.trainer.lastSnapshot.step,
    curveEnd: window.playground.losses.steps.at(-1), hidden: document.getElementById('overfit-box').hidden }));
  assert.deepEqual([after.running, after.snap, after.hidden], [false, best.step, true]);
  assert.ok(after.curveEnd <= best.step, `the curve still goes to step ${after.curveEnd}`);
  // The worker has those weights: the snapshot it sent back after the press is the kept step's, bit for bit.
  const mismatch = await page.evaluate((step) => {
    const kept = window.snapshots.get(step), now = window.playground.trainer.lastSnapshot.weights;
    if (!kept) return `no snapshot of step ${step} was seen`;
    if (kept.length !== now.length) return `${now.length} weights, ${kept.length} kept`;
    const i = kept.findIndex((v, j) => !Object.is(v, now[j]));
    return i < 0 ? null : `weight ${i}: ${now[i]} in the worker, ${kept[i]} kept`;
  }, best.step);
  assert.equal(mismatch, null, 'the worker\'s weights after going back are not the kept ones');
  // Training goes on from the kept step.
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await waitForValue(page, (s) => window.playground.trainer.progress.step === s + 10, best.step, { what: '10 more steps' });
  const resumed = await page.evaluate(() => window.playground.trainer.progress.testLoss);
  console.log(`after going back and 10 steps: test loss ${resumed.toFixed(3)}`);
  await context.close();
  checkNoErrors(errors);
});

test('latency: hover readings are the settled best of rounds, not single cold calls', async () => {
  const { page, context, errors } = await openPlayground();
  const box = await page.locator('#map').boundingBox();
  const readings = [];
  for (let i = 0; i < 12; i++) {
    await page.mouse.move(box.x + box.width * (0.1 + 0.07 * i), box.y + box.height * (0.9 - 0.06 * i));
    readings.push(await page.evaluate(() => Number(document.getElementById('probe').dataset.latencyUs)));
  }
  console.log(`hover readings (µs): ${readings.map((v) => v.toFixed(2)).join(', ')}`);
  assert.ok(readings.every((v) => v > 0 && Number.isFinite(v)), 'a reading is not a positive number');
  const spread = Math.max(...readings) / Math.min(...readings);
  assert.ok(spread <= 1.5, `hover readings swing by ${spread.toFixed(1)}x`);
  assert.doesNotMatch(await page.textContent('#probe'), /· 0\.0 µs/);
  await context.close();
  checkNoErrors(errors);
});

test('reduced motion: the playground repaints its map about once a second while training', async () => {
  const { page, context, errors } = await openPlayground('#ds=circles&steps=1000000', { reducedMotion: 'reduce' });
  const before = await page.evaluate(() => window.playground.stats.paints);
  await page.getByRole('button', { name: 'Train' }).click();
  await page.waitForTimeout(3000);
  const paints = (await page.evaluate(() => window.playground.stats.paints)) - before;
  await page.getByRole('button', { name: 'Pause' }).click();
  console.log(`map paints in 3 s of training with reduced motion: ${paints}`);
  assert.ok(paints >= 1 && paints <= 5, `${paints} paints in 3 s`);
  await context.close();
  checkNoErrors(errors);
});

test('reduced motion: the article widgets\' first map paint is whole at once, not spread over seconds', async () => {
  const { page, context, errors } = await openPage(env.browser, { viewport: { width: 800, height: 1000 }, reducedMotion: 'reduce' });
  await page.goto(`${env.origin}/demos/article.html`);
  await waitForValue(page, () => /^Ready/.test(document.getElementById('pretrained-report').textContent), null, { what: 'ready' });
  const t0 = Date.now();
  // The bottom rows of the map differ from the panel's background once painted.
  await waitForValue(page, () => {
    const canvas = document.getElementById('pretrained').shadowRoot.querySelector('.map');
    const { data, width, height } = (() => {
      const c = canvas.getContext('2d');
      return { data: c.getImageData(0, canvas.height - 3, canvas.width, 1).data, width: canvas.width, height: canvas.height };
    })();
    let painted = 0;
    for (let x = 0; x < width; x++) {
      const [r, g, b] = data.subarray(4 * x, 4 * x + 3);
      if (Math.abs(r - 0xf6) + Math.abs(g - 0xf8) + Math.abs(b - 0xfa) > 6) painted++;
    }
    return height > 0 && painted > 0.8 * width;
  }, null, { timeoutMs: 10000, what: 'the bottom of the map painted' });
  const ms = Date.now() - t0;
  console.log(`the pretrained widget's map was whole ${ms} ms after ready (reduced motion)`);
  assert.ok(ms < 1500, `the first paint took ${ms} ms with reduced motion`);
  await context.close();
  checkNoErrors(errors);
});

// WCAG contrast of an element's text colour on its background colour (both opaque rgb()).
function contrastIn(page, locatorFn) {
  return page.evaluate(locatorFn).then(({ fg, bg }) => {
    const lum = (s) => {
      const [r, g, b] = s.match(/[\d.]+/g).slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  });
}

test('dark mode: the Train buttons and the index note reach 4.5:1', async () => {
  const dark = { colorScheme: 'dark' };
  const pages = [
    ['playground', '/demos/playground/', () => { const el = document.getElementById('train'); return { fg: getComputedStyle(el).color, bg: getComputedStyle(el).backgroundColor }; }],
    ['digits', '/demos/digits/', () => { const el = document.getElementById('train'); return { fg: getComputedStyle(el).color, bg: getComputedStyle(el).backgroundColor }; }],
    ['article widget', '/demos/article.html', () => { const el = document.getElementById('live').shadowRoot.querySelector('.go'); return { fg: getComputedStyle(el).color, bg: getComputedStyle(el).backgroundColor }; }],
    ['index note', '/demos/index.html', () => { const el = document.querySelector('.note'); return { fg: getComputedStyle(el).color, bg: getComputedStyle(document.documentElement).backgroundColor }; }],
  ];
  for (const [name, path, read] of pages) {
    const { page, context, errors } = await openPage(env.browser, dark);
    await page.goto(`${env.origin}${path}`);
    if (name === 'article widget') await waitForValue(page, () => document.getElementById('live').shadowRoot?.querySelector('.go'), null, { what: 'the widget' });
    const ratio = await contrastIn(page, read);
    console.log(`${name} (dark): ${ratio.toFixed(2)}:1`);
    assert.ok(ratio >= 4.5, `${name} in dark mode: contrast ${ratio.toFixed(2)}:1 < 4.5:1`);
    await context.close();
    checkNoErrors(errors);
  }
});

test('landmarks and names: <main> on the index and the article; the article widgets\' regions have unique names', async () => {
  for (const path of ['/demos/index.html', '/demos/article.html']) {
    const { page, context } = await openPage(env.browser);
    await page.goto(`${env.origin}${path}`);
    assert.equal(await page.locator('main').count(), 1, `${path} has no <main>`);
    if (path.includes('article')) {
      await waitForValue(page, () => document.getElementById('pretrained').shadowRoot?.querySelector('section'), null, { what: 'the widgets' });
      const names = await page.evaluate(() => [...document.querySelectorAll('tiny-train')].flatMap((w) =>
        [...w.shadowRoot.querySelectorAll('section')].map((s) => s.getAttribute('aria-label'))));
      console.log(`article regions: ${names.join(' | ')}`);
      const widgets = await page.locator('tiny-train').count(); // two regions each: training and inference
      assert.equal(names.length, 2 * widgets);
      assert.equal(new Set(names).size, names.length, `region names repeat: ${names.join(', ')}`);
      assert.ok(names.includes('Training: the model you train'), names.join(', '));
    }
    await context.close();
  }
});

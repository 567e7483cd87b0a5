// A <tiny-train> does not move the text below it while it starts (issue 21: a reader lost their place, and a click
// could land on the wrong thing): from the widget's first frame, which shows its whole markup with its data's inputs,
// until it is ready and has drawn its map (or its language model's bars and samples), a link under it stays at the
// same y, and the layout shifts the page records after that first frame (PerformanceObserver 'layout-shift') add up
// to about 0. Not covered: the plain words (web/widget/teach.js, loaded at the first pointer move, focus or progress)
// still add the map's legend and the epoch count, which move what is below.
// The page is a plain host page (no room reserved for the widget by the page), at a phone's width and a desktop's.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, waitForValue } from './helpers.mjs';

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { await env?.close(); });

const hostPage = (attributes) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>shift</title><link rel="icon" href="data:,">
<script type="module" src="/web/tiny-train.js"></script></head>
<body><h1>A page</h1><p>Some text above the widget.</p><tiny-train ${attributes}></tiny-train>
<p><a id="below" href="#below">a link under the widget</a></p></body></html>`;

// Before the page's scripts: each animation frame, from the first one in which the widget shows its markup, the
// link's y in the document; and every layout shift, with its time.
function recordFrames() {
  window.shift = { ys: [], shownAt: null, shifts: [] };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // what moved: the node (null inside a shadow root) and its box before and after
      const moved = entry.sources.map((s) => `${s.node?.nodeName ?? 'a node in a shadow root'} ` +
        `y ${Math.round(s.previousRect.y)} -> ${Math.round(s.currentRect.y)}, height ${Math.round(s.currentRect.height)}`);
      window.shift.shifts.push({ at: entry.startTime, value: entry.value, nodes: moved.join(', ') });
    }
  }).observe({ type: 'layout-shift', buffered: true });
  const frame = () => {
    const root = document.querySelector('tiny-train')?.shadowRoot?.querySelector('.root');
    if (root && !root.hidden) {
      window.shift.shownAt ??= performance.now();
      const y = Math.round(document.getElementById('below').getBoundingClientRect().top + scrollY);
      if (window.shift.ys.at(-1)?.y !== y) window.shift.ys.push({ y, at: Math.round(performance.now()) });
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

async function checkStart(attributes, width, started, what) {
  const { page, context, errors } = await openPage(env.browser, { viewport: { width, height: 800 } });
  try {
    await page.route('**/demos/shift-host.html', (route) => route.fulfill({ contentType: 'text/html', body: hostPage(attributes) }));
    await page.addInitScript(recordFrames);
    await page.goto(`${env.origin}/demos/shift-host.html`);
    await waitForValue(page, started, null, { what, timeoutMs: 30000 });
    await page.waitForTimeout(1000); // the map's bands, a frame each, and anything late
    const { ys, shownAt, shifts } = await page.evaluate(() => window.shift);
    const later = shifts.filter((s) => s.at > shownAt);
    console.log(`${attributes} at ${width} px: the link's y from the widget's first frame ${ys.map((s) => `${s.y} @${s.at}`).join(', ')}; ` +
      `layout shifts after it ${later.map((s) => `${s.value.toFixed(4)} (${s.nodes})`).join(', ') || 'none'}`);
    assert.ok(ys.length > 0, 'the widget never showed its markup');
    assert.equal(ys.length, 1, `the link under the widget moved after the widget's first frame: ${ys.map((s) => `y ${s.y} at ${s.at} ms`).join(' -> ')}`);
    // The widget's own prediction line may move its words by a pixel when its first answer comes (0.001-0.004 here);
    // a block moving under the widget is 0.05 or more.
    const score = later.reduce((sum, s) => sum + s.value, 0);
    assert.ok(score < 0.01, `layout shifts after the widget's first frame add up to ${score.toFixed(4)}: ${later.map((s) => s.nodes).join('; ')}`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
}

// (run in the page)
const mapReady = () => {
  const root = document.querySelector('tiny-train').shadowRoot;
  return [...root.querySelectorAll('button')].some((b) => b.textContent.trim() === 'Train' && !b.disabled) &&
    root.querySelector('.inputs input') && /class/.test(root.querySelector('.out').textContent);
};
const textReady = () => {
  const root = document.querySelector('tiny-train').shadowRoot;
  return root.querySelector('.tx-top .row:not([hidden])') && root.querySelector('.tx-samples').textContent.trim();
};

for (const width of [390, 1280]) {
  test(`a moons widget moves nothing below it after its first frame, at ${width} px`, () =>
    checkStart('demo="moons"', width, mapReady, 'the moons widget ready with its map'));
}

test('a widget with pretrained weights and no controls moves nothing below it after its first frame', () =>
  checkStart('demo="spiral" src="/demos/data/generated/article-spiral.safetensors" controls="none"', 390, mapReady,
    'the pretrained widget predicting'));

test('a pretrained language model\'s widget moves nothing below it as its bars and samples come', () =>
  checkStart('demo="text" src="/demos/data/generated/words-gpt.safetensors" controls="none" prefix="th" data="/demos/data/generated/"',
    390, textReady, 'the language model\'s bars and samples'));

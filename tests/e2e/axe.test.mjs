// axe-core (a pinned dev dependency) on every page, in light and dark mode: no serious or critical violation of
// WCAG 2 A/AA rules, the widgets' shadow DOM included. Each page is checked once its models answer (the pretrained
// widget, the digits pad, the playground's map, the text page's samples). One browser for the file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, waitForValue } from './helpers.mjs';
import { seriousViolations } from './axe-check.mjs';

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { await env?.close(); });

const PAGES = [
  ['index', '/demos/index.html', () => document.querySelector('main')],
  ['playground', '/demos/playground/', () => window.playground?.stats.paints > 0],
  // two compared runs, their small maps painted, and the form that adds a run open
  ['playground with compared runs', '/demos/playground/#vs=seed=2|layers=8:tanh,8:tanh;lr=0.1', () => {
    if (!(window.playground?.stats.paints > 0 && window.playground.runs.every((r) => r.paints > 0))) return false;
    if (!document.querySelector('.add-run')) document.getElementById('add-run-toggle').click();
    return document.querySelector('.add-run') !== null;
  }],
  ['digits', '/demos/digits/', () => /% right on the held-out/.test(document.getElementById('predictor-name').textContent)],
  ['text', '/demos/text/', () => document.body.dataset.ready === '1' && document.querySelectorAll('#samples li').length > 0],
  ['article', '/demos/article.html', () => /^Ready/.test(document.getElementById('pretrained-report').textContent)],
  // the widgets' legend and glossary (web/widget/teach.js), loaded by a pointer move over each widget
  ['article with the widgets\' plain words', '/demos/article.html', () => {
    if (!/^Ready/.test(document.getElementById('pretrained-report').textContent)) return false;
    const widgets = [...document.querySelectorAll('tiny-train')];
    for (const w of widgets) w.dispatchEvent(new PointerEvent('pointermove', { bubbles: true, composed: true }));
    return widgets.every((w) => w.shadowRoot.querySelector('.term') &&
      (w.shadowRoot.querySelector('.map').hidden || w.shadowRoot.querySelector('.legend:not([hidden])')));
  }],
];

for (const colorScheme of ['light', 'dark']) {
  for (const [name, path, ready] of PAGES) {
    test(`axe: ${name} (${colorScheme}) has no serious or critical violation`, async () => {
      // bypassCSP: the article's CSP allows only its own scripts, and axe is injected
      const { page, context, errors } = await openPage(env.browser, { colorScheme, bypassCSP: true });
      await page.goto(`${env.origin}${path}`);
      await waitForValue(page, ready, null, { what: `${name} to be ready`, timeoutMs: 60000 });
      assert.deepEqual(await seriousViolations(page, `${name} (${colorScheme})`), []);
      await context.close();
      assert.deepEqual(errors, []);
    });
  }
}

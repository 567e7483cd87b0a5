// axe-core (a pinned dev dependency) on every page, in light and dark mode: no serious or critical violation of
// WCAG 2 A/AA rules, the widgets' shadow DOM included. Each page is checked once its models answer (the pretrained
// widget, the digits pad, the playground's map, the text page's samples). One browser for the file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { startBrowser, openPage, waitForValue } from './helpers.mjs';

const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

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
];

for (const colorScheme of ['light', 'dark']) {
  for (const [name, path, ready] of PAGES) {
    test(`axe: ${name} (${colorScheme}) has no serious or critical violation`, async () => {
      // bypassCSP: the article's CSP allows only its own scripts, and axe is injected
      const { page, context, errors } = await openPage(env.browser, { colorScheme, bypassCSP: true });
      await page.goto(`${env.origin}${path}`);
      await waitForValue(page, ready, null, { what: `${name} to be ready`, timeoutMs: 60000 });
      await page.evaluate(AXE);
      const violations = await page.evaluate(async () => {
        const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
        return result.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.slice(0, 5).map((n) => `${JSON.stringify(n.target)}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
        }));
      });
      for (const v of violations) console.log(`${name} (${colorScheme}): ${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.join('\n  ')}`);
      const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(bad.map((v) => `${v.impact} ${v.id}: ${v.nodes.join(' | ')}`), []);
      await context.close();
      assert.deepEqual(errors, []);
    });
  }
}

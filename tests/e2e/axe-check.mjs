// axe-core (a pinned dev dependency) in a page: the WCAG 2 A/AA and best-practice rules, the widgets' shadow DOM
// included. Used by axe.test.mjs (every page) and the teach-* tests (states a page reaches only by training).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe on the page (injected: the page's CSP must allow it, e.g. a context with bypassCSP) and returns its
 * violations as {id, impact, help, nodes: [up to 5 'target: summary' lines]}. */
export async function axeViolations(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${JSON.stringify(n.target)}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
    }));
  });
}

/** The serious and critical ones of axeViolations(), one line each (all are logged with `name`). */
export async function seriousViolations(page, name) {
  const violations = await axeViolations(page);
  for (const v of violations) console.log(`${name}: ${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.join('\n  ')}`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.nodes.join(' | ')}`);
}

// Shared by the e2e tests: serve the repository over http on 127.0.0.1 (tools/serve.mjs, random port), launch
// Debian's Chromium through playwright-core (one browser per test file), collect console errors, and write
// screenshots to tests/artifacts/ (git-ignored).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, SERVED } from '../../tools/serve.mjs';

export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';
export const LAUNCH_ARGS = Object.freeze(['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']);

/** Starts the server and the browser; close() stops both. */
export async function startBrowser() {
  // the test worker (worker-hooks.mjs) and its hooks besides what the demos need
  const server = await startServer({ port: 0, folders: [...SERVED, 'tests/e2e/hooked-worker.mjs', 'tests/js/crash-hooks.mjs'] });
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS] });
  } catch (err) {
    await server.close();
    throw err;
  }
  return {
    server, browser, origin: server.origin,
    async close() {
      await browser.close().catch(() => {});
      await server.close();
    },
  };
}

/**
 * A new page whose problems are collected: console errors (page and workers), uncaught exceptions, failed
 * requests and HTTP errors. Other options go to the browser context (colorScheme, reducedMotion, ...).
 * Returns {page, context, errors}.
 */
export async function openPage(browser, { viewport = { width: 1280, height: 900 }, ...contextOptions } = {}) {
  const context = await browser.newContext({ viewport, ...contextOptions });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`); });
  page.on('worker', (w) => {
    w.on?.('console', (m) => { if (m.type() === 'error') errors.push(`worker console: ${m.text()}`); });
  });
  return { page, context, errors };
}

/** Writes a PNG of the page (or of a locator) to tests/artifacts/<name>.png; returns its path. */
export async function screenshot(target, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await target.screenshot({ path: file });
  return file;
}

/** Polls fn (run in the page) until it returns a truthy value or timeoutMs passes; returns the value. */
export async function waitForValue(page, fn, arg, { timeoutMs = 10000, what = 'a condition' } = {}) {
  const handle = await page.waitForFunction(fn, arg, { timeout: timeoutMs, polling: 50 }).catch((e) => {
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${e.message.split('\n')[0]}`);
  });
  return handle.jsonValue();
}

// ---- main-thread long tasks --------------------------------------------------------------------------------------

// An init script: records long tasks from the first script on into window.__longTasks ({start, ms}).
/** Simulates the tab going to the background (hidden true) or coming back: document.hidden, visibilityState and the
 * visibilitychange event, as a browser sets them. */
export function setTabHidden(page, hidden) {
  return page.evaluate((h) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

export const LONG_TASK_OBSERVER = () => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: Math.round(e.startTime), ms: Math.round(e.duration) });
  }).observe({ type: 'longtask', buffered: true });
};

// The budget is no task over 50 ms; this shared 2-core machine gets a wide margin.
export const LONG_TASK_LIMIT_MS = 200;

/**
 * Logs the page's long tasks and asserts none exceeds limitMs. When the machine runs well more work than it has
 * cores (other suites, builds: load average > 1.5 x cores), a descheduled renderer shows up as a long task however
 * little the page does, so the tasks are then logged but not held to the limit.
 */
export async function checkLongTasks(page, label, { limitMs = LONG_TASK_LIMIT_MS } = {}) {
  const tasks = await page.evaluate(() => window.__longTasks);
  const load = os.loadavg()[0], cores = os.cpus().length;
  const worst = tasks.reduce((m, t) => Math.max(m, t.ms), 0);
  console.log(`${label}: ${tasks.length} long tasks${tasks.length ? ': ' + tasks.map((t) => `${t.ms} ms @${t.start}`).join(', ') : ''}` +
    ` (load average ${load.toFixed(1)} on ${cores} cores)`);
  if (load > 1.5 * cores) {
    if (worst > limitMs) console.log(`${label}: not checked: the machine is overloaded (worst task ${worst} ms)`);
    return tasks;
  }
  assert.ok(worst <= limitMs, `${label}: a main-thread task took ${worst} ms (limit ${limitMs} ms; ` +
    `load average ${load.toFixed(1)} on ${cores} cores)`);
  return tasks;
}

// ---- drawing on a 28x28 pad ------------------------------------------------------------------------------------

/**
 * The mouse strokes that draw a 28x28 image (784 values in [0, 1]) on a pad whose box is `box` (x, y, width in
 * viewport coordinates): each horizontal run of pixels above `ink` becomes one stroke, [[x0, y], [x1, y]], across
 * the matching cells.
 */
export function inkStrokes(pixels, box, { ink = 0.5 } = {}) {
  const cell = box.width / 28, strokes = [];
  for (let r = 0; r < 28; r++) {
    for (let c = 0; c < 28;) {
      if (pixels[r * 28 + c] <= ink) { c++; continue; }
      const c0 = c;
      while (c < 28 && pixels[r * 28 + c] > ink) c++;
      const y = box.y + (r + 0.5) * cell;
      strokes.push([[box.x + (c0 + 0.5) * cell, y], [box.x + (c - 0.5) * cell, y]]);
    }
  }
  return strokes;
}

/** Draws a 28x28 image onto the pad matched by `padSelector` with the mouse (inkStrokes); returns the number of strokes. */
export async function drawImage(page, padSelector, pixels, { ink = 0.5 } = {}) {
  const strokes = inkStrokes(pixels, await page.locator(padSelector).boundingBox(), { ink });
  for (const [[x0, y], [x1]] of strokes) {
    await page.mouse.move(x0, y);
    await page.mouse.down();
    await page.mouse.move(x1, y, { steps: 2 });
    await page.mouse.up();
  }
  return strokes.length;
}

// Shared by the e2e tests: serve the repository over http on 127.0.0.1 (tools/serve.mjs, random port), launch
// Debian's Chromium through playwright-core (one browser per test file), collect console errors, and write
// screenshots to tests/artifacts/ (git-ignored).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, SERVED } from '../../tools/serve.mjs';
import { startTrace, showTask, commitNote, loadNote } from './main-thread.mjs';

export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';
export const LAUNCH_ARGS = Object.freeze(['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']);

/** Starts the server and the browser; close() stops both. */
export async function startBrowser({ isolated = false } = {}) {
  // the test worker (worker-hooks.mjs) and its hooks besides what the demos need
  const server = await startServer({ port: 0, isolated,
    folders: [...SERVED, 'tests/e2e/hooked-worker.mjs', 'tests/js/crash-hooks.mjs'] });
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

/** Simulates the tab going to the background (hidden true) or coming back: document.hidden, visibilityState and the
 * visibilitychange event, as a browser sets them. */
export function setTabHidden(page, hidden) {
  return page.evaluate((h) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

// ---- main-thread long tasks --------------------------------------------------------------------------------------

// The budget: no task of the page's own over 50 ms of main-thread CPU time.
export const LONG_TASK_LIMIT_MS = 50;

const watched = new WeakMap(); // page -> its running trace (main-thread.mjs)

/**
 * Starts tracing the page's main thread for checkLongTasks (before page.goto, to include the page's loading); a
 * watch that no check ended (a test failed on the way) is dropped. Keep the window to a minute or so: the trace of a
 * busy page is about a megabyte a second.
 */
export async function watchLongTasks(page) {
  await watched.get(page)?.stop().catch(() => {});
  watched.set(page, await startTrace(page));
}

/**
 * Ends the watch of watchLongTasks and asserts that no task of the page's own took over limitMs of main-thread CPU
 * time (its thread time in the trace: the waiting for a core on a busy machine is left out, so the check always
 * runs). Logs the longest tasks; returns all of them ({cpuMs, wallMs, start, what}, longest first).
 */
export async function checkLongTasks(page, label, { limitMs = LONG_TASK_LIMIT_MS } = {}) {
  const trace = watched.get(page);
  assert.ok(trace, `checkLongTasks (${label}): call watchLongTasks(page) first`);
  watched.delete(page);
  const tasks = await trace.stop();
  const over = tasks.filter((t) => t.cpuMs > limitMs);
  console.log(`${label}: ${tasks.length} main-thread tasks, ${over.length} over ${limitMs} ms of CPU; the longest ` +
    `${tasks.slice(0, 3).map(showTask).join('; ')}${commitNote(tasks)} (${loadNote()})`);
  assert.ok(over.length === 0, `${label}: a main-thread task took ${showTask(tasks[0])}` +
    `${over.length > 1 ? ` (${over.length} tasks over the limit: ${over.map((t) => t.cpuMs.toFixed(0)).join(', ')} ms)` : ''}` +
    ` (limit ${limitMs} ms of CPU; ${loadNote()})`);
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

/** Draws a 28x28 image onto the pad matched by `padSelector` with the mouse (inkStrokes); returns the number of strokes.
 * The pad is scrolled wholly into view first: the mouse reaches only what the viewport shows, and a click elsewhere
 * (a button below the pad) may have left its top rows above the viewport. */
export async function drawImage(page, padSelector, pixels, { ink = 0.5 } = {}) {
  const pad = page.locator(padSelector);
  await pad.scrollIntoViewIfNeeded();
  const strokes = inkStrokes(pixels, await pad.boundingBox(), { ink });
  for (const [[x0, y], [x1]] of strokes) {
    await page.mouse.move(x0, y);
    await page.mouse.down();
    await page.mouse.move(x1, y, { steps: 2 });
    await page.mouse.up();
  }
  return strokes.length;
}

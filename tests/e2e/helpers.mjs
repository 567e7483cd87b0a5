// Shared by the e2e tests: serve the repository over http on 127.0.0.1 (tools/serve.mjs, random port), launch
// Debian's Chromium through playwright-core (one browser per test file), collect console errors, and write
// screenshots to tests/artifacts/ (git-ignored).
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../tools/serve.mjs';

export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';
export const LAUNCH_ARGS = Object.freeze(['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']);

/** Starts the server and the browser; close() stops both. */
export async function startBrowser() {
  const server = await startServer({ port: 0 });
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
 * requests and HTTP errors. Returns {page, errors}.
 */
export async function openPage(browser, { viewport = { width: 1280, height: 900 } } = {}) {
  const context = await browser.newContext({ viewport });
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

// One small interface over the three browsers the widget is tested in, so tests/browsers/reader-suite.mjs runs the
// same checks in each: Debian's Chromium through playwright-core (as tests/e2e/), Firefox ESR through puppeteer-core
// (WebDriver BiDi, headless) and WebKitGTK's MiniBrowser through selenium-webdriver and WebKitWebDriver (no headless
// mode: under xvfb-run when there is no display). Every browser runs with a dark system colour scheme, so a widget
// with theme="auto" is dark. Nothing is downloaded: the browsers are the Debian packages (tools/install-deps.sh).
//
// launchBrowser(name) returns {name, open(url), close()}; open() returns a page:
//   evaluate(fn, arg)  runs fn(arg) in the page (arg and result as JSON; fn may be async)
//   waitFor(fn, arg, {what, timeoutMs})  polls fn(arg) until it returns a truthy value; returns it
//   click(x, y), strokes([[[x, y], ...], ...])  pointer input at viewport coordinates (a mouse)
//   screenshot(name)  the viewport as PNG bytes, also written to tests/artifacts/<name>.png
//   problems()  what the browser itself reports: console errors (page and workers), uncaught exceptions, failed
//               requests; WebKit's WebDriver reports none of these (the host page's recorder collects them there)
//   close()
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { Builder, Origin } from 'selenium-webdriver';
import { ARTIFACTS, CHROMIUM, LAUNCH_ARGS, openPage } from '../e2e/helpers.mjs';

export const FIREFOX = '/usr/bin/firefox-esr';
export const WEBKIT_DRIVER = '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const BROWSERS = Object.freeze(['chromium', 'firefox', 'webkit']);
const VIEWPORT = { width: 1000, height: 900 };
// WebKitWebDriver answers a new-session request only once MiniBrowser is up; with no display it never answers.
const SESSION_TIMEOUT_MS = 60000;

/** Launches browser `name` (one of BROWSERS). */
export async function launchBrowser(name) {
  if (name === 'chromium') return launchChromium();
  if (name === 'firefox') return launchFirefox();
  if (name === 'webkit') {
    // xvfb-run -a can lose a race for a display number to another Xvfb starting at the same moment: once more then
    try { return await launchWebKit(); } catch (err) { console.log(`webkit: ${err.message}; starting again`); return launchWebKit(); }
  }
  throw new Error(`unknown browser "${name}" (expected one of ${BROWSERS.join(', ')})`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// What every page has, given evaluate(fn, arg).
function pageBase(evaluate) {
  return {
    evaluate,
    async waitFor(fn, arg, { what = 'a condition', timeoutMs = 30000 } = {}) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const value = await evaluate(fn, arg);
        if (value) return value;
        if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await sleep(100);
      }
    },
  };
}

async function writeScreenshot(name, bytes) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  fs.writeFileSync(file, bytes);
  return bytes;
}

// Playwright's and Puppeteer's mouse have the same calls.
async function mouseStrokes(mouse, strokes) {
  for (const stroke of strokes) {
    await mouse.move(...stroke[0]);
    await mouse.down();
    for (const point of stroke.slice(1)) await mouse.move(...point, { steps: 2 });
    await mouse.up();
  }
}

// A Playwright or Puppeteer page (their evaluate, mouse and screenshot calls are the same) as the suite's page.
function playwrightLikePage(page, problems, close) {
  return {
    ...pageBase((fn, arg) => page.evaluate(fn, arg)),
    click: (x, y) => page.mouse.click(x, y),
    strokes: (strokes) => mouseStrokes(page.mouse, strokes),
    screenshot: async (name) => writeScreenshot(name, await page.screenshot()),
    problems: () => [...problems],
    close,
  };
}

// Collects what a Playwright or Puppeteer page reports as going wrong.
function collectProblems(page) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  return problems;
}

async function launchChromium() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...LAUNCH_ARGS] });
  return {
    name: 'chromium',
    async open(url) {
      // helpers.mjs's openPage collects page and worker console errors, exceptions and failed requests
      const { page, context, errors } = await openPage(browser, { viewport: VIEWPORT, colorScheme: 'dark' });
      await page.goto(url);
      return playwrightLikePage(page, errors, () => context.close());
    },
    close: () => browser.close(),
  };
}

async function launchFirefox() {
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX, headless: true, defaultViewport: VIEWPORT,
    // a dark system theme, as a reader's could be; no updates or telemetry
    extraPrefsFirefox: { 'ui.systemUsesDarkTheme': 1, 'app.update.enabled': false, 'datareporting.policy.dataSubmissionEnabled': false },
  });
  return {
    name: 'firefox',
    async open(url) {
      const page = await browser.newPage();
      const problems = collectProblems(page);
      await page.goto(url);
      return playwrightLikePage(page, problems, () => page.close());
    },
    close: () => browser.close(),
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

async function waitForPort(port, timeoutMs, child) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited (code ${child.exitCode}) before listening`);
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > end) throw new Error(`WebKitWebDriver did not listen on port ${port} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms); })]);
}

async function launchWebKit() {
  const port = await freePort();
  // MiniBrowser needs a display: xvfb-run gives WebKitWebDriver (and the MiniBrowser it starts) a virtual one.
  // GTK_THEME's ":dark" variant makes WebKitGTK report prefers-color-scheme: dark.
  const command = [WEBKIT_DRIVER, `--port=${port}`];
  const argv = process.env.DISPLAY ? command : ['xvfb-run', '-a', '-s', '-screen 0 1280x1024x24', ...command];
  const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore', detached: true, env: { ...process.env, GTK_THEME: 'Adwaita:dark' } });
  const stop = () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ } };
  let driver;
  try {
    await waitForPort(port, 60000, child);
    driver = new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
    }).build();
    await withTimeout(driver.getSession(), SESSION_TIMEOUT_MS, 'WebKitWebDriver new session');
    await driver.manage().setTimeouts({ script: 120000, pageLoad: 60000 });
    await driver.manage().window().setRect({ x: 0, y: 0, ...VIEWPORT });
  } catch (err) {
    stop();
    throw err;
  }
  // Runs fn(arg) in the page through an async script, so an async fn's promise is awaited the same way everywhere.
  const evaluate = async (fn, arg) => {
    const result = await driver.executeAsyncScript(`const done = arguments[arguments.length - 1];
Promise.resolve().then(() => (${fn})(arguments[0])).then((value) => done({ value }), (e) => done({ error: String(e && e.stack || e) }));`, arg);
    if (result && 'error' in result) throw new Error(`in the page: ${result.error}`);
    return result?.value;
  };
  const pointer = () => driver.actions({ async: true });
  return {
    name: 'webkit',
    async open(url) {
      await driver.get(url);
      return {
        ...pageBase(evaluate),
        click: (x, y) => pointer().move({ x: Math.round(x), y: Math.round(y), origin: Origin.VIEWPORT }).click().perform(),
        async strokes(strokes) {
          // one action sequence for all the strokes: one round trip
          let actions = pointer();
          for (const stroke of strokes) {
            const [x0, y0] = stroke[0];
            actions = actions.move({ x: Math.round(x0), y: Math.round(y0), origin: Origin.VIEWPORT, duration: 0 }).press();
            for (const [x, y] of stroke.slice(1)) actions = actions.move({ x: Math.round(x), y: Math.round(y), origin: Origin.VIEWPORT, duration: 20 });
            actions = actions.release();
          }
          await actions.perform();
        },
        screenshot: async (name) => writeScreenshot(name, Buffer.from(await driver.takeScreenshot(), 'base64')),
        problems: () => [],
        close: () => driver.get('about:blank'),
      };
    },
    async close() {
      await withTimeout(driver.quit(), 20000, 'WebKitWebDriver quit').catch(() => {});
      stop();
    },
  };
}

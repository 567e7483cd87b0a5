// The main-thread trace (main-thread.mjs) that the long-task checks rely on, on a page made for it: a task of the
// page's own that computes is found with its CPU time and fails the check; a task that waits as long does no work
// and passes it (so a busy machine, which makes the page wait for a core, cannot fail it); the test's own
// evaluations are left out; under 4x CPU throttling the throttler's busy-waiting counts as the task's CPU time.
// One browser for the file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, openPage, watchLongTasks, checkLongTasks } from './helpers.mjs';
import { traceTasks, showTask } from './main-thread.mjs';

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { await env?.close(); });

// busy(n): n rounds of arithmetic no compiler can skip; spin(ms): wall-clock time in a loop; wait(ms): a synchronous
// request the server answers after ms, so the thread blocks without computing.
const PAGE = `<!doctype html><link rel="icon" href="data:,"><title>trace</title><script>
  function busy(n) { let x = 0; for (let i = 0; i < n; i++) x = (x * 31 + i) % 1000003; return x; }
  function wait(ms) { const r = new XMLHttpRequest(); r.open('GET', '/slow?' + ms, false); r.send(); return r.responseText; }
  window.later = (fn, arg) => new Promise((resolve) => setTimeout(() => resolve(fn(arg)), 0));
</script>`;

// Pages that compute busy(n) (n from the query) while loading: in a script of the page as it is parsed, or in the
// page's pagehide handler, which runs when the next page commits, inside the navigation commit's task.
const BUSY = PAGE.match(/function busy[^\n]*/)[0];
const BLANK_PAGE = '<!doctype html><link rel="icon" href="data:,"><title>blank</title>';
const LOADING_PAGE = `<!doctype html><link rel="icon" href="data:,"><title>busy loading</title><script>${BUSY}
  busy(Number(location.search.slice(1)));</script><p>loaded</p>`;
const LEAVING_PAGE = `<!doctype html><link rel="icon" href="data:,"><title>busy leaving</title><script>${BUSY}
  addEventListener('pagehide', () => busy(Number(location.search.slice(1))));</script><p>here</p>`;

async function openTracePage(options) {
  const opened = await openPage(env.browser, options);
  await opened.page.route('**/trace.html', (route) => route.fulfill({ contentType: 'text/html', body: PAGE }));
  await opened.page.route('**/blank.html', (route) => route.fulfill({ contentType: 'text/html', body: BLANK_PAGE }));
  await opened.page.route('**/loading.html?*', (route) => route.fulfill({ contentType: 'text/html', body: LOADING_PAGE }));
  await opened.page.route('**/leaving.html?*', (route) => route.fulfill({ contentType: 'text/html', body: LEAVING_PAGE }));
  await opened.page.route('**/slow?*', async (route) => {
    await new Promise((r) => setTimeout(r, Number(new URL(route.request().url()).search.slice(1))));
    await route.fulfill({ contentType: 'text/plain', body: 'done' });
  });
  await opened.page.goto(`${env.origin}/trace.html`);
  return opened;
}

// Rounds of busy() that take about ms of CPU on this machine, measured in the page as the fastest of many runs (the
// first ones warm up the optimising compiler, which the long run gets too).
async function roundsFor(page, ms) {
  return page.evaluate((target) => {
    let best = Infinity;
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      busy(1e6);
      best = Math.min(best, performance.now() - t);
    }
    return Math.round((target / best) * 1e6);
  }, ms);
}

test('a task of the page that computes for ~200 ms is traced with its CPU time and fails checkLongTasks', async () => {
  const { page, context } = await openTracePage();
  const rounds = await roundsFor(page, 200);
  await watchLongTasks(page);
  await page.evaluate((n) => window.later(busy, n), rounds);
  await page.evaluate((n) => window.later(busy, n), rounds / 40); // a short task too: ~5 ms
  await assert.rejects(checkLongTasks(page, 'a busy page'), (err) => {
    assert.match(err.message, /a busy page: a main-thread task took (\d+) ms CPU/);
    const cpuMs = Number(err.message.match(/took (\d+) ms CPU/)[1]);
    assert.ok(cpuMs >= 100 && cpuMs < 1000, `the busy task measured ${cpuMs} ms of CPU (about 200 expected)`);
    assert.match(err.message, /FunctionCall \/trace\.html:\d+/, 'the message names the script that ran');
    return true;
  });
  await context.close();
});

test('a task of the page that waits 300 ms without computing passes: wall time is not CPU time', async () => {
  const { page, context, errors } = await openTracePage();
  await watchLongTasks(page);
  await page.evaluate(() => window.later(wait, 300));
  const tasks = await checkLongTasks(page, 'a waiting page');
  const waited = tasks.find((t) => t.wallMs >= 280);
  assert.ok(waited, `no traced task of >= 280 ms wall time (longest wall ${Math.max(...tasks.map((t) => t.wallMs)).toFixed(0)} ms)`);
  assert.ok(waited.cpuMs < 50, `the waiting task used ${waited.cpuMs} ms of CPU`);
  // Chromium warns about a synchronous request on the main thread; nothing else may go wrong
  assert.deepEqual(errors.filter((e) => !/Synchronous XMLHttpRequest/.test(e)), []);
  await context.close();
});

test('the test\'s own evaluations are left out; 4x CPU throttling makes a page task longer in CPU time', async () => {
  const { page, context } = await openTracePage();
  const rounds = await roundsFor(page, 30);
  const { tasks } = await traceTasks(page, async () => {
    await page.evaluate((n) => busy(n), rounds * 5); // the test's own: ~150 ms inside a DevTools command
    await page.evaluate((n) => window.later(busy, n), rounds); // the page's: ~30 ms
  });
  assert.ok(tasks.ownCommands > 0, 'no evaluation of the test was recognised');
  assert.ok(tasks[0].cpuMs >= 20 && tasks[0].cpuMs < 100, `the longest page task: ${tasks[0].cpuMs} ms of CPU (about 30 expected)`);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const slow = (await traceTasks(page, () => page.evaluate((n) => window.later(busy, n), rounds))).tasks[0];
  const ratio = slow.cpuMs / tasks[0].cpuMs;
  console.log(`busy task: ${tasks[0].cpuMs.toFixed(1)} ms CPU at 1x, ${slow.cpuMs.toFixed(1)} ms at 4x (${ratio.toFixed(1)}x)`);
  // How close to 4x depends on how often the throttler's own thread gets a core, so only a clear rise is asked for.
  assert.ok(ratio > 1.5 && ratio < 6, `4x throttling made the task ${ratio.toFixed(1)}x as long in CPU time`);
  await context.close();
});

// The navigation commit (main-thread.mjs) counts with the page's work inside it only: the browser's part is left out,
// and what a page computes at load is still found, in a task of its own or inside the commit.
test('a blank page\'s navigation commit is found and counts with the page\'s work in it alone', async () => {
  const { page, context, errors } = await openTracePage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const { tasks } = await traceTasks(page, () => page.goto(`${env.origin}/blank.html`));
  const { commit } = tasks;
  assert.ok(commit, 'no navigation commit found in the trace of a navigation');
  console.log(`blank page at 4x: ${commit.what}; ${tasks.length} tasks, longest ${showTask(tasks[0])}`);
  assert.ok(tasks.includes(commit), 'the commit is one of the tasks');
  assert.match(commit.what, /^the navigation commit: \d+ ms CPU in all/);
  assert.ok(commit.commitMs > 5 * commit.cpuMs, `the commit's ${commit.commitMs.toFixed(1)} ms CPU is mostly the ` +
    `browser's, but ${commit.cpuMs.toFixed(1)} ms of it counted as the blank page's work`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a page that computes ~300 ms while it is parsed fails checkLongTasks', async () => {
  const { page, context } = await openTracePage();
  const rounds = await roundsFor(page, 300);
  await watchLongTasks(page);
  await page.goto(`${env.origin}/loading.html?${rounds}`);
  await assert.rejects(checkLongTasks(page, 'a busy page at load'), (err) => {
    const cpuMs = Number(err.message.match(/took (\d+) ms CPU/)?.[1]);
    assert.ok(cpuMs >= 100 && cpuMs < 1000, `the busy load measured ${cpuMs} ms of CPU (about 300 expected): ${err.message}`);
    assert.match(err.message, /(EvaluateScript|ParseHTML) \/loading\.html/, 'the message names the page\'s script');
    return true;
  });
  await context.close();
});

test('a page\'s handler that computes ~300 ms inside the next page\'s navigation commit fails checkLongTasks', async () => {
  const { page, context } = await openTracePage();
  const rounds = await roundsFor(page, 300);
  await page.goto(`${env.origin}/leaving.html?${rounds}`);
  await watchLongTasks(page);
  await page.goto(`${env.origin}/trace.html`);
  await assert.rejects(checkLongTasks(page, 'a busy handler in the commit'), (err) => {
    const cpuMs = Number(err.message.match(/took (\d+) ms CPU/)?.[1]);
    assert.ok(cpuMs >= 100 && cpuMs < 1000, `the handler measured ${cpuMs} ms of CPU (about 300 expected): ${err.message}`);
    assert.match(err.message, /the navigation commit: \d+ ms CPU in all.*EventDispatch/, 'the commit is the task that failed');
    return true;
  });
  await context.close();
});

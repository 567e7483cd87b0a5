// The page's main-thread tasks with the CPU time each took, from a Chromium trace. On a loaded machine a task's wall
// time includes the time its thread waited for a core, so a PerformanceObserver's long task (wall time > 50 ms) says
// little there; the trace's thread time says what the page itself did. attributeLongTasks pairs each observed long
// task with the traced work inside it, so a check can hold the page to the budget on any machine.
import assert from 'node:assert/strict';

const CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', '__metadata'];
const MARK = 'tinytrain-trace-sync';

/**
 * Traces page while `during()` runs. Returns {result, tasks}: tasks are the page's main-thread tasks,
 * {start, ms, cpuMs, inside()}, with start on the page's performance.now() clock (the clock of PerformanceObserver
 * entries); inside() lists the largest events within a task by CPU time.
 */
export async function traceMainThread(browser, page, during) {
  await browser.startTracing(page, { categories: CATEGORIES });
  let result, sync, buffer;
  try {
    // A mark in both clocks: console.timeStamp is a trace event on the page's main thread.
    sync = await page.evaluate((mark) => {
      console.timeStamp(mark);
      return performance.now();
    }, MARK);
    result = await during();
  } finally {
    buffer = await browser.stopTracing();
  }
  const json = JSON.parse(buffer.toString());
  const events = Array.isArray(json) ? json : json.traceEvents;
  const mark = events.find((e) => e.name === 'TimeStamp' && e.args?.data?.message === MARK);
  assert.ok(mark, 'the trace has no sync mark from the page');
  const offsetMs = mark.ts / 1000 - sync; // trace time - page time
  const main = events.filter((e) => e.ph === 'X' && e.pid === mark.pid && e.tid === mark.tid);
  const tasks = main.filter((e) => e.name === 'RunTask').map((e) => ({
    start: e.ts / 1000 - offsetMs, ms: e.dur / 1000, cpuMs: e.tdur / 1000,
    // what ran inside: the largest events by CPU time, to say what a busy task was (names are Chromium's)
    inside: () => main.filter((c) => c !== e && c.ts >= e.ts && c.ts + c.dur <= e.ts + e.dur && c.tdur > 1000)
      .sort((a, b) => b.tdur - a.tdur).slice(0, 6)
      .map((c) => [c.name, c.args?.data?.functionName, c.args?.data?.url?.replace(/^.*\//, ''), `${(c.tdur / 1000).toFixed(1)} ms`]
        .filter(Boolean).join(' ')),
  }));
  assert.ok(tasks.length > 0, 'no main-thread task in the trace');
  assert.ok(tasks.every((t) => Number.isFinite(t.cpuMs)), 'the trace has no thread times: CPU time cannot be told from waiting');
  return { result, tasks };
}

/**
 * Pairs each observed long task ({start, ms}, page clock) with the traced task that overlaps it most; returns
 * [{start, ms, cpuMs}] where cpuMs is that task's CPU time (NaN when none overlaps).
 */
export function attributeLongTasks(observed, tasks) {
  return observed.map((o) => {
    let best = null, bestOverlap = 0;
    for (const t of tasks) {
      const overlap = Math.min(o.start + o.ms, t.start + t.ms) - Math.max(o.start, t.start);
      if (overlap > bestOverlap) { best = t; bestOverlap = overlap; }
    }
    return { ...o, cpuMs: best ? best.cpuMs : NaN };
  });
}

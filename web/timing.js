// Timing a prediction on the page, honestly. Page clocks are coarse (performance.now() steps by 0.1 ms in Chromium
// without cross-origin isolation) and the first calls of a model are cold, so a single timed call says little:
// calls are repeated in rounds of at least roundMs and the fastest round's mean is kept (a GC pause or another tab
// must not count as the model's latency). Shown values are never 0: below what the clock can tell, they say so.

/** Microseconds per call of run(): one warm-up call, then the best mean of `rounds` rounds of >= roundMs. */
export function microsecondsPerCall(run, { rounds = 5, roundMs = 1, maxCallsPerRound = 10000 } = {}) {
  run(); // warm-up: the first call sizes the activations
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    let calls = 0, now = start;
    do {
      run();
      calls++;
      now = performance.now();
    } while (now - start < roundMs && calls < maxCallsPerRound);
    if (now > start) best = Math.min(best, (1000 * (now - start)) / calls);
  }
  // Every round ended before the clock moved: all that is known is an upper bound.
  return Number.isFinite(best) ? best : (1000 * CLOCK_STEP_MS) / maxCallsPerRound;
}

// The coarsest step of the page clock in the browsers we run in.
export const CLOCK_STEP_MS = 0.1;

/** "3.1 µs", "120 µs", "1.25 ms"; "< 0.1 µs" rather than 0; "–" when unknown. */
export function formatMicroseconds(us) {
  if (!Number.isFinite(us) || us < 0) return '–';
  if (us < 0.1) return '< 0.1 µs';
  if (us < 10) return `${us.toFixed(1)} µs`;
  if (us < 1000) return `${Math.round(us)} µs`;
  return `${(us / 1000).toFixed(2)} ms`;
}

/**
 * A duration read from the page clock once (ms): "< 0.1 ms" when it read 0 (the clock did not move), so a
 * reading is never shown as a zero duration.
 */
export function formatMeasuredMs(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < CLOCK_STEP_MS) return `< ${CLOCK_STEP_MS} ms`;
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Resolves in a task of its own: `await nextTask()` ends the page's current task, so long start-up work is cut
 * into tasks a slow phone runs without a long one (and a frame may come in between).
 */
export const nextTask = () => new Promise((resolve) => setTimeout(resolve));

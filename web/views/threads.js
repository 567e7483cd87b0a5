// What a page says when a helper thread stops in the middle of a step (wasm/threads.js): the Trainer restarts its
// worker on one thread from the last snapshot (web/runtime/trainer.js), and training goes on from there. The demo
// pages and the widget say it in the same words.

/** Whether an `error` detail (a Trainer's, or the widget's that relays it) is a helper thread that ended in the
 * middle of a step, after which the worker restarts: only a fatal error restarts it. */
export const helperStopped = (detail) => Boolean(detail.restarting && /helper thread/.test(detail.message));

/** Said while the worker restarts. */
export const RESTARTING_ON_ONE_THREAD =
  'A helper thread stopped in the middle of a step; training restarts on one thread from the last snapshot.';

/** Said once training goes on after that restart, from the snapshot's step. */
export const oneThreadFrom = (step) =>
  `A helper thread stopped; training goes on with one thread from step ${step.toLocaleString('en')}, the last good weights.`;

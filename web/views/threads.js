// What a page says when a helper thread stops in the middle of a step (wasm/threads.js): the Trainer restarts its
// worker on one thread from the last snapshot (web/runtime/trainer.js), and training goes on from there. The demo
// pages and the widget say it in the same words.

/** Said while the worker restarts. */
export const RESTARTING_ON_ONE_THREAD =
  'A helper thread stopped in the middle of a step; training restarts on one thread from the last snapshot.';

/** Said once training goes on after that restart, from the snapshot's step. */
export const oneThreadFrom = (step) =>
  `A helper thread stopped; training goes on with one thread from step ${step.toLocaleString('en')}, the last good weights.`;

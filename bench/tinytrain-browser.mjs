// tinytrain in headless Chromium through the worker runtime (web/worker.js), to show what the worker costs
// against Node. Not written yet: it needs the worker path to be finished first. Until then it reports "not yet"
// rather than a number. Usage: node bench/tinytrain-browser.mjs <case>.
import { runSystem, emit } from './common.mjs';

await runSystem('tinytrain-browser', {
  'worker-mlp-adam': () => emit('tinytrain-browser', 'worker-mlp-adam', null, 'not-yet', null,
                                'the Chromium worker benchmark is not written yet'),
});

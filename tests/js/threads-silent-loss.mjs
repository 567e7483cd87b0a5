// For tests/js/threads.test.mjs: a helper thread ends without a word (its exit and error events are not listened to,
// as a browser says nothing of a terminated worker); the pool notices once jobs go on without it. Prints
// {before, after, seconds, warnings}.
import { Model, loadTinytrain } from '../../wasm/tinytrain.js';
import { CASES } from './threads-models.mjs';

const core = await loadTinytrain({ threads: 2 });
const warnings = [];
console.warn = (text) => warnings.push(text);
const model = await Model.create(CASES[0].spec);
const { x, y } = CASES[0].data();
model.setData(x, y);
const [helper] = core.helpers;
helper.removeAllListeners('exit');
helper.removeAllListeners('error');
model.trainSteps(2, 64);
const before = core.threads;
await helper.terminate();
const t0 = Date.now();
while (core.threads > 1 && Date.now() - t0 < 90000) {
  model.trainSteps(2, 64);
  await new Promise((resolve) => setTimeout(resolve, 5));
}
console.log(JSON.stringify({ before, after: core.threads, seconds: (Date.now() - t0) / 1000, warnings }));

// For tests/js/threads.test.mjs: Model.create({threads}) once the threaded build has loaded with 2 threads. Prints
// the threads in use after each of threads 1, 2, none and 3, as JSON.
import { Model, loadTinytrain } from '../../wasm/tinytrain.js';
import { CASES } from './threads-models.mjs';

await loadTinytrain({ threads: 2 });
const counts = [];
for (const threads of [1, 2, undefined, 3]) {
  const model = await Model.create(CASES[0].spec, { threads });
  counts.push(model.threads);
  model.dispose();
}
console.log(JSON.stringify(counts));

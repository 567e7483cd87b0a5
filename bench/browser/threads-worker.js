// The threads benchmark's worker: loads the threaded build with all the cores the browser reports (at least 2), the
// MNIST split and the words corpus, runs bench/threads.mjs on {cases, time} and posts {rows, cores}, or {error}.
import { Model, loadTinytrain } from '../../wasm/tinytrain.js';
import { fetchMnist } from '../../web/mnist.js';
import { fetchWords } from '../../web/words.js';
import { measureThreads, threadCounts } from '../threads.mjs';

self.onmessage = async ({ data: { cases, time } }) => {
  try {
    const cores = navigator.hardwareConcurrency;
    const counts = threadCounts(cores);
    const core = await loadTinytrain({ threads: counts.at(-1) });
    if (!core.setThreads) throw new Error('the threaded build did not load');
    const data = new URL('../../demos/data/generated/', import.meta.url);
    const mnist = await fetchMnist(new URL('mnist-train.bin', data));
    const words = await fetchWords(data);
    const setData = (model, kind) => (kind === 'words' ? model.setTokens(words.train) : model.setData(mnist.x, mnist.y));
    const rows = [];
    const setThreads = (threads) => core.setThreads({ threads });
    for await (const row of measureThreads({ Model, setThreads, cases, counts, setData, time })) rows.push(row);
    self.postMessage({ rows, cores });
  } catch (err) {
    self.postMessage({ error: `${err.name}: ${err.message}` });
  }
};

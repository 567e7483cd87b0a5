// Prints {threads, hashes} as JSON: the weights' hashes after tests/js/threads-models.mjs trains its cases in this
// process, with the default module (argument "single") or the threaded one using n threads (argument n; the
// threaded module loads with at least 2, so 1 runs it on one thread; "n/m": n in use of m started, the others
// parked). For tests/js/threads.test.mjs.
import { Model, loadTinytrain } from '../../wasm/tinytrain.js';
import { trainAll } from './threads-models.mjs';

const arg = process.argv[2];
const [threads, started = threads] = arg === 'single' ? [] : arg.split('/').map(Number);
if (threads) (await loadTinytrain({ threads: Math.max(2, started) })).setThreads({ threads });
const hashes = await trainAll(Model);
console.log(JSON.stringify({ threads: (await loadTinytrain()).threads ?? 1, hashes }));

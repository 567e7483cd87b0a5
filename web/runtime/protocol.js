// The worker protocol: every message is a plain object {type, id?, ...}. Requests go page -> worker and each gets
// exactly one `reply` with the same id ({ok: true, result} or {ok: false, error}). Events go worker -> page
// unasked: `ready` (wasm loaded), `preparing` (a text corpus being loaded and tokenized), `progress`, `snapshot`,
// `stopped`, `error` (recoverable, e.g. divergence), `fatal` (a wasm trap: this worker is done, start a new one)
// and `alive` (the heartbeat, see startHeartbeat).
// Buffers are transferred, never shared.
//
//   requests: init {spec, data, options}  start {maxSteps?}  pause  step {n}  set {lr, batchSize, pace, ...}
//             reset {seed}  snapshot  setWeights {weights, step?, epoch?}
//             (init's data: {dataset, ...}, {x, y, testX?, testY?} or {text: TEXT}; its options: batchSize,
//              logEvery, evalEvery, evalTrainMax, pace, memoryLimit, threads, snapshotHz: snapshots a second while
//              training, a whole number, RATES.snapshotHz unless given)
//   events:   ready  reply {id, ok, result|error}  progress {step, epoch, loss, accuracy, testLoss, ...}
//             snapshot {weights, step, epoch}  stopped {reason}  error {message, kind}  fatal {message}
//             alive {lock?}  preparing {phase, done, total}
//   TEXT:     {corpus: 'words'|'prose'|'own', base? (URL of the corpus folder), text? (own: string, Blob or
//              bytes), tokenizer?: 'characters'|'bpe', merges?, vocabulary? (a saved tokenizer: no learning)},
//             checked by text-data.js, which the worker loads only for it

export const REQUEST = Object.freeze({
  INIT: 'init', START: 'start', PAUSE: 'pause', STEP: 'step', SET: 'set', RESET: 'reset', SNAPSHOT: 'snapshot',
  SET_WEIGHTS: 'setWeights',
});
export const EVENT = Object.freeze({
  READY: 'ready', REPLY: 'reply', PROGRESS: 'progress', SNAPSHOT: 'snapshot', STOPPED: 'stopped', ERROR: 'error',
  FATAL: 'fatal', ALIVE: 'alive', PREPARING: 'preparing',
});

// Hyper-parameters the core changes in place (tt_model_set_hparam) and runtime knobs the worker owns. pace: the
// most optimizer steps per second a run takes (0: as many as the core can do), so a reader can watch it learn.
export const HPARAMS = Object.freeze(['lr', 'momentum', 'weight_decay', 'beta1', 'beta2', 'eps', 'clip_norm']);
export const KNOBS = Object.freeze(['batchSize', 'logEvery', 'pace']);
// The pages' speeds: "watch" spreads a small model's learning over seconds; "fast" is all the core can do.
export const PACE = Object.freeze({ watch: 100, fast: 0 });

// Rates (per second) of the throttled events, and the target length of one training chunk. A page that uses few
// snapshots (each is a copy of every weight) asks for fewer with init's options.snapshotHz.
// A paced run trains what is due every paceMs and sleeps in between.
export const RATES = Object.freeze({ progressHz: 30, snapshotHz: 10, testHz: 10, chunkMs: 15, paceMs: 16 });
export const MAX_STEPS_PER_REQUEST = 1e6;

// The worker says `alive` this often (ms); the page presumes it dead after SILENCE_MS without any message from it.
// The silence covers, many times over, the longest task the worker runs without returning to its event loop (a
// full evaluation of a model on its test split, on a loaded machine); the heartbeat is only the fallback where
// Web Locks are missing, so a slower task there is the one way to be taken for dead.
export const HEARTBEAT_MS = 1000;
export const SILENCE_MS = 15000;

const isInt = (v, lo, hi) => Number.isInteger(v) && v >= lo && v <= hi;
const got = (v) => `, got ${JSON.stringify(v)}`;

// Checks a request's shape; returns null when fine, otherwise a message that names the field.
export function validateRequest(msg) {
  if (msg === null || typeof msg !== 'object') return 'message: expected an object';
  const { type } = msg;
  if (!Object.values(REQUEST).includes(type)) return `message.type: unknown request ${JSON.stringify(type)}`;
  if (!isInt(msg.id, 0, Number.MAX_SAFE_INTEGER)) return `${type}.id: expected a non-negative integer`;
  if (type === REQUEST.INIT) {
    if (msg.spec === null || !/^(object|string)$/.test(typeof msg.spec)) return 'init.spec: expected a model spec (object or JSON string)';
    if (msg.data === null || typeof msg.data !== 'object') return 'init.data: expected {dataset, ...options}, {x, y} or {text}';
    const limit = msg.options?.memoryLimit, pace = msg.options?.pace;
    if (pace !== undefined && validateSettings({ pace })) return `init.options: ${validateSettings({ pace })}`;
    if (limit !== undefined && !isInt(limit, 0, 0xffffffff)) {
      return `init.options.memoryLimit: expected a byte count from 0 (no limit) to 4294967295${got(limit)}`;
    }
  }
  if (type === REQUEST.STEP && !isInt(msg.n, 1, MAX_STEPS_PER_REQUEST)) {
    return `step.n: expected an integer in [1, ${MAX_STEPS_PER_REQUEST}]${got(msg.n)}`;
  }
  if (type === REQUEST.START && msg.maxSteps !== undefined && !isInt(msg.maxSteps, 1, Number.MAX_SAFE_INTEGER)) {
    return `start.maxSteps: expected a positive integer${got(msg.maxSteps)}`;
  }
  if (type === REQUEST.RESET && msg.seed !== undefined && !isInt(msg.seed, 0, 0xffffffff)) {
    return `reset.seed: expected an integer in [0, 4294967295]${got(msg.seed)}`;
  }
  if (type === REQUEST.SET) return validateSettings(msg.values);
  if (type === REQUEST.SET_WEIGHTS && !(msg.weights instanceof Float32Array)) return 'setWeights.weights: expected a Float32Array';
  return null;
}

// set {values}: known names only, finite numbers; batchSize and logEvery are positive integers, pace a whole
// number of steps per second (0: no limit).
export function validateSettings(values) {
  if (values === null || typeof values !== 'object') return 'set.values: expected an object';
  for (const [k, v] of Object.entries(values)) {
    if (!HPARAMS.includes(k) && !KNOBS.includes(k)) {
      return `set.${k}: unknown setting; expected one of ${[...HPARAMS, ...KNOBS].join(', ')}`;
    }
    if (!Number.isFinite(v)) return `set.${k}: expected a finite number${got(v)}`;
    const lo = k === 'pace' ? 0 : 1;
    if (KNOBS.includes(k) && !isInt(v, lo, 65536)) return `set.${k}: expected an integer in [${lo}, 65536]${got(v)}`;
  }
  return null;
}

// At most `hz` passes per second on the given clock (ms). `due(now)` says yes and restarts the interval.
export class Throttle {
  constructor(hz) {
    this.interval = 1000 / hz;
    this.last = -Infinity;
  }
  due(now) {
    if (now - this.last < this.interval) return false;
    this.last = now;
    return true;
  }
}

// Page side of the request/reply pairing: `send` posts {type, id, ...fields} and resolves with the reply's result
// or rejects with an Error carrying the worker's message.
export class RequestClient {
  constructor(post) {
    this.post = post; // (message, transfer) => void
    this.nextId = 1;
    this.pending = new Map(); // id -> {resolve, reject, type}
  }
  send(type, fields = {}, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, type });
      try {
        this.post({ type, id, ...fields }, transfer);
      } catch (e) {
        this.pending.delete(id);
        reject(e);
      }
    });
  }
  // Returns true when msg was a reply this client was waiting for.
  handleReply(msg) {
    const p = msg?.type === EVENT.REPLY && this.pending.get(msg.id);
    if (!p) return false;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(msg.error));
    return true;
  }
  // Fails every outstanding request (the worker died) with Errors named `name`; returns how many there were.
  rejectAll(message, name = 'Error') {
    const n = this.pending.size;
    for (const p of this.pending.values()) p.reject(Object.assign(new Error(`${p.type}: ${message}`), { name }));
    this.pending.clear();
    return n;
  }
}

// Sorts an error thrown by the core or the runtime into the event to post: a trap is fatal, a diverged loss
// and everything else are recoverable errors.
export function classifyError(err) {
  const message = String(err?.message || err);
  if (err instanceof WebAssembly.RuntimeError) return { type: EVENT.FATAL, message: `wasm trap: ${message}` };
  return { type: EVENT.ERROR, kind: /^diverged\b/.test(message) ? 'diverged' : 'error', message };
}

// The worker side of death detection. Every HEARTBEAT_MS it posts `alive`, so a page can tell a silent worker from
// a busy one. Where the Web Locks API exists (secure contexts), it also holds a lock named after itself for its
// whole life and names it in every `alive` once held (a page that starts listening late still learns it): the
// browser releases it the moment the worker ends, however it ends (terminate(), self.close(), killed), so a page
// that queues for the same lock learns of the death at once, with no timer to misjudge. Returns a function that
// stops the heartbeat.
export function startHeartbeat(post, { locks = globalThis.navigator?.locks, intervalMs = HEARTBEAT_MS } = {}) {
  let lock; // its name, once held
  const beat = () => post({ type: EVENT.ALIVE, lock });
  const timer = setInterval(beat, intervalMs);
  if (locks) {
    const name = `tinytrain-worker-${crypto.randomUUID()}`; // (both need a secure context: where locks are, it is)
    locks.request(name, () => {
      lock = name;
      beat();
      return new Promise(() => {}); // held until the worker ends
    }).catch(() => {}); // no lock (e.g. a storage policy refuses it): the heartbeat alone still works
  }
  return () => clearInterval(timer);
}

// tinytrain's JS face: loads tinytrain.wasm (a standalone module next to this file) and wraps the flat C API of
// src/tinytrain.h in the Model class (docs/design.md, "The JS API"). Works unchanged in Node 20, a module Worker and a page.
// Views of wasm memory are made right before use and never kept across a call into C (memory growth detaches
// them); everything returned to the caller is a copy.

import { fetchModule } from './fetch-module.js';

const WASM_URL = new URL('./tinytrain.wasm', import.meta.url);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

let loading = null; // Promise of the module's exports, shared by every Model in this realm
let wasm = null;    // the exports, once loaded
let memoryLimit = 0; // bytes, 0 for none: see Model.setMemoryLimit

// The module's one import (tests/js/wasm-size.test.mjs pins it): a growth notice nothing needs, as views are made
// afresh. Any other import fails instantiation with a LinkError that names it.
const IMPORTS = { env: { emscripten_notify_memory_growth() {} } };

/** Loads the wasm module once (later calls return the same promise). Options: {url} to override its location;
 * {threads}: how many threads train, more than 1 for the threaded build (threads.js, which also picks it by default
 * in a worker of a cross-origin isolated page: only there may workers share memory; it declines, and this module
 * loads, for another url); 1 loads this module without fetching threads.js. */
export function loadTinytrain({ url = WASM_URL, threads } = {}) {
  loading ??= (async () => {
    const core = threads !== 1 && (threads || globalThis.crossOriginIsolated) &&
      await (await import('./threads.js')).default(threads, url) || // instantiateThreaded
      (await WebAssembly.instantiate(await fetchModule(url), IMPORTS)).exports;
    core._initialize(); // the threaded build calls its own, and gives a no-op here
    core.tt_set_memory_limit(memoryLimit);
    return (wasm = core);
  })();
  loading.catch(() => { loading = null; }); // a failed load may be retried
  return loading;
}

// The bits of tt_layer_type_traits (TT_TRAIT_* in src/tinytrain.h) by their words in the table of layers.
const TRAIT_BITS = { PARAMS: 1, HE_INIT: 2, FUSES_NEXT: 4, ACTIVATION: 8 };

// ---- marshalling

const f32 = (ptr, n) => new Float32Array(wasm.memory.buffer, ptr, n);

function cString(ptr) {
  const bytes = new Uint8Array(wasm.memory.buffer, ptr);
  return decoder.decode(bytes.slice(0, bytes.indexOf(0))); // a copy: decode() refuses views of shared memory
}

function lastError() {
  return new Error(cString(wasm.tt_last_error()) || 'tinytrain: unknown error');
}

function check(status) {
  if (status !== 0) throw lastError();
}

// Lends fn a block of `bytes` bytes of wasm memory; freed when fn returns or throws.
function withAlloc(bytes, fn) {
  // tt_alloc takes a 32-bit size_t: a bigger count would wrap to a small block that C then writes past
  if (!(bytes <= 0xffffffff)) throw new RangeError(`out of memory: ${bytes} bytes are more than wasm32 can address`);
  const ptr = wasm.tt_alloc(bytes);
  if (!ptr) throw new Error(`out of memory: could not allocate ${bytes} bytes`);
  try {
    return fn(ptr);
  } finally {
    wasm.tt_free(ptr);
  }
}

// Copies bytes (Uint8Array) or floats (Float32Array) into wasm memory for the duration of fn(ptr).
const withCopy = (array, fn) => withAlloc(array.byteLength, (ptr) => {
  new Uint8Array(wasm.memory.buffer, ptr, array.byteLength).set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  return fn(ptr);
});

function withString(text, fn) {
  const bytes = encoder.encode(text);
  return withCopy(bytes, (ptr) => fn(ptr, bytes.length));
}

// Counts cross into C as int32: anything else would be silently truncated or wrapped there.
function checkInt(name, v, min, max = 0x7fffffff) {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${name}: expected an integer from ${min} to ${max}, got ${typeof v === 'string' ? `"${v}"` : v}`);
  }
  return v;
}

// What a value is, for messages: a Float64Array, a DataView, the string "0.5", number 2, null.
function describe(v) {
  if (typeof v === 'string') return `the string ${JSON.stringify(v.slice(0, 40))}`;
  if (v === null || v === undefined) return String(v);
  if (typeof v !== 'object' && typeof v !== 'function') return `${typeof v} ${String(v)}`;
  const type = v.constructor?.name || 'object';
  return `${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type}`;
}

// Token ids as they cross into C: 2 bytes each when every id fits (the usual case), else 4.
function toTokenIds(name, ids) {
  if (ids instanceof Int32Array) {
    const at = ids.findIndex((id) => id < 0);
    if (at >= 0) throw new RangeError(`${name}: token ${at} is ${ids[at]}: ids must be whole numbers from 0`);
    return ids;
  }
  if (ids instanceof Uint16Array || ids instanceof Uint32Array) return ids;
  if (ids instanceof Uint8Array) return Uint16Array.from(ids);
  if (Array.isArray(ids)) {
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) {
        throw new TypeError(`${name}: token ids must be whole numbers from 0, got ${id}`);
      }
    }
    return ids.every((id) => id <= 0xffff) ? Uint16Array.from(ids) : Uint32Array.from(ids);
  }
  throw new TypeError(`${name}: expected token ids as a Uint16Array, Int32Array or Uint32Array, got ${
    ids === null ? 'null' : ids?.constructor?.name ?? typeof ids}`);
}

// Lends fn(ptr, count, width) the ids in wasm memory.
const withTokens = (name, ids, fn) => {
  const tokens = toTokenIds(name, ids);
  return withCopy(tokens, (ptr) => fn(ptr, tokens.length, tokens.BYTES_PER_ELEMENT));
};

// A prompt of token ids as C reads it (int32).
function toPrompt(name, ids) {
  if (!(ArrayBuffer.isView(ids) || Array.isArray(ids)) || ids instanceof DataView || ids instanceof Float32Array ||
      ids instanceof Float64Array) {
    throw new TypeError(`${name}: expected the prompt's token ids as an Int32Array, Uint16Array or array, got ${
      ids === null ? 'null' : ids?.constructor?.name ?? typeof ids}`);
  }
  if (ids.length === 0) throw new RangeError(`${name}: expected a prompt of at least one token`);
  const out = Int32Array.from(ids);
  out.forEach((id, i) => {
    if (id !== Number(ids[i])) throw new RangeError(`${name}: prompt token ${i} is ${ids[i]}: ids must be whole numbers`);
  });
  return out;
}

function toBytes(name, bytes) {
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new TypeError(`${name}: expected the bytes of a .safetensors file (Uint8Array or ArrayBuffer), got ${describe(bytes)}`);
}

// Any typed array of numbers or an Array converts; a DataView (bytes of no stated type) or BigInt64Array does not.
function toFloat32(name, array) {
  if (array instanceof Float32Array) return array;
  if ((ArrayBuffer.isView(array) && !(array instanceof DataView) && typeof array[0] !== 'bigint') ||
      Array.isArray(array)) return Float32Array.from(array);
  throw new TypeError(`${name}: expected a Float32Array (or Int32Array of class labels), got ${describe(array)}`);
}

// ---- Model

const NO_LABELS = Symbol('predict');
const FROM_WASM = Symbol('Model'); // only create() and load() hold it: no other number passes for a model

export class Model {
  #ptr;
  #spec = null;
  #generation = 0; // the latest startGeneration(): an older one's iterator stops

  constructor(token, ptr) {
    if (token !== FROM_WASM) throw new TypeError('new Model(): use await Model.create(spec) or await Model.load(bytes)');
    this.#ptr = ptr;
  }

  /** A new model from a spec (object or JSON text). Throws an Error naming the bad field. {threads}: the threads
   * every model of this realm trains with. The realm's first load picks the module with it (as loadTinytrain);
   * after that it sets the count in use of the threaded build (threads.js setThreads: at most the threads it
   * started); the single-threaded module stays on 1. model.threads says the count in use. */
  static async create(spec, options) {
    (await loadTinytrain(options)).setThreads?.(options);
    const text = typeof spec === 'string' ? spec : JSON.stringify(spec);
    return Model.#wrap(withString(text, (p, n) => wasm.tt_model_create(p, n)));
  }

  /** A model rebuilt from a .safetensors file written by save() (the spec is in its metadata). */
  static async load(bytes) {
    await loadTinytrain();
    const data = toBytes('Model.load', bytes);
    return Model.#wrap(withCopy(data, (p) => wasm.tt_model_load(p, data.length)));
  }

  /**
   * The core's layer types, in the order of its table (src/layers/layer_table.h): [{name, traits}], traits being
   * that table's words: 'PARAMS', 'HE_INIT', 'FUSES_NEXT', 'ACTIVATION' (an element-wise activation for menus).
   */
  static async layerTypes() {
    await loadTinytrain();
    const types = [];
    for (let i = 0; wasm.tt_layer_type_name(i); i++) {
      const bits = wasm.tt_layer_type_traits(i);
      const traits = Object.keys(TRAIT_BITS).filter((word) => bits & TRAIT_BITS[word]);
      types.push({ name: cString(wasm.tt_layer_type_name(i)), traits });
    }
    return types;
  }

  static #wrap(ptr) {
    if (!ptr) throw lastError();
    return new Model(FROM_WASM, ptr);
  }

  /** Caps the memory all models may take together (arenas and data), 0 for none: a model, data set or batch
   * over the cap is refused with a message giving the size needed, before wasm memory grows. */
  static setMemoryLimit(bytes) {
    memoryLimit = checkInt('setMemoryLimit', bytes, 0, 0xffffffff); // a size_t on wasm32
    wasm?.tt_set_memory_limit(bytes);
  }

  /** The cap set by setMemoryLimit (0: none), e.g. for a widget that sets a default only where a page set none. */
  static get memoryLimit() {
    return memoryLimit;
  }

  /** The wasm memory's current size in bytes (for leak checks). */
  static memoryBytes() {
    return wasm?.memory.buffer.byteLength ?? 0;
  }

  get #m() {
    if (!this.#ptr) throw new Error('this model was disposed');
    return this.#ptr;
  }

  get inputSize() { return wasm.tt_model_input_size(this.#m); }
  get outputSize() { return wasm.tt_model_output_size(this.#m); }
  get labelSize() { return wasm.tt_model_label_size(this.#m); }
  get paramCount() { return wasm.tt_model_param_count(this.#m); }
  get step() { return wasm.tt_model_step_count(this.#m); }
  get epoch() { return wasm.tt_model_epoch(this.#m); }
  get flops() {
    return { forward: wasm.tt_model_flops_forward(this.#m), train: wasm.tt_model_flops_train(this.#m) };
  }
  /** The threads this model trains with (every model of the realm alike): more than 1 with the threaded build. */
  get threads() { return wasm.threads ?? 1; }
  get spec() { return (this.#spec ??= JSON.parse(cString(wasm.tt_model_spec(this.#m)))); }

  // Checks the lengths of x and y (unless NO_LABELS), then lends fn(px, py, samples, pout) one block of wasm memory
  // holding x, y and room for outPerSample floats per sample (one allocation: batch-1 predict is a few µs).
  #withXY(x, y, fn, outPerSample = 0) {
    x = toFloat32('x', x);
    const n = x.length / this.inputSize;
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`x: expected a whole number of samples of ${this.inputSize} values, got ${x.length} values`);
    }
    const ny = y === NO_LABELS ? 0 : (y = toFloat32('y', y)).length;
    if (y !== NO_LABELS && ny !== n * this.labelSize) {
      throw new Error(`y: expected ${n * this.labelSize} labels for ${n} samples, got ${ny}`);
    }
    return withAlloc((x.length + ny + n * outPerSample) * 4, (px) => {
      const py = px + x.length * 4;
      f32(px, x.length).set(x);
      if (ny) f32(py, ny).set(y);
      return fn(px, py, n, py + ny * 4);
    });
  }

  /** Copies a training set into wasm memory; trainSteps() then trains on it without crossing back to JS. */
  setData(x, y) {
    this.#withXY(x, y, (px, py, n) => check(wasm.tt_model_set_data(this.#m, px, py, n)));
  }

  /** Copies a stream of token ids into wasm memory (2 bytes per token when the vocabulary allows), replacing any
   * data; trainSteps() then trains a language model on seeded random windows of inputSize + 1 tokens. */
  setTokens(ids) {
    withTokens('setTokens', ids, (p, n, width) => check(wasm.tt_model_set_tokens(this.#m, p, n, width)));
  }

  /** A language model's tokens (the text of each id), saved with its weights; null when it has none. */
  get vocabulary() {
    const text = cString(wasm.tt_model_vocabulary(this.#m));
    return text ? JSON.parse(text) : null;
  }

  /** Sets the tokens of a language model: one string per row of its embedding (null removes them). */
  setVocabulary(tokens) {
    if (tokens === null) return check(wasm.tt_model_set_vocabulary(this.#m, 0, 0));
    if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) {
      throw new TypeError('setVocabulary: expected an array of token strings');
    }
    withString(JSON.stringify(tokens), (p, n) => check(wasm.tt_model_set_vocabulary(this.#m, p, n)));
  }

  get #vocabSize() { return this.outputSize / this.inputSize; }

  /** Writes up to maxTokens token ids after the prompt (see startGeneration) and returns them as an Int32Array. */
  generate(prompt, options = {}) {
    return Int32Array.from(this.startGeneration(prompt, options));
  }

  /** Starts writing after the prompt (token ids; its last inputSize count) and returns an iterator that yields one
   * token id per step, each costing one position's work (keys and values of the context are cached). temperature 0
   * always takes the most likely token; otherwise tokens are drawn, seeded, from the topK most likely (0: all). A
   * later startGeneration() on this model ends this one. */
  startGeneration(prompt, { maxTokens = 100, temperature = 1, topK = 0, seed = 1 } = {}) {
    checkInt('startGeneration: maxTokens', maxTokens, 0);
    checkInt('startGeneration: topK', topK, 0);
    checkInt('startGeneration: seed', seed, 0, 0xffffffff);
    if (typeof temperature !== 'number' || !(temperature >= 0) || !Number.isFinite(temperature)) {
      throw new RangeError(`startGeneration: temperature must be a number >= 0, got ${temperature}`);
    }
    const ids = toPrompt('startGeneration', prompt);
    withCopy(ids, (p) => check(wasm.tt_model_generate_begin(this.#m, p, ids.length, seed >>> 0)));
    const run = ++this.#generation;
    const model = this;
    return (function* tokens() {
      for (let i = 0; i < maxTokens; i++) {
        if (run !== model.#generation) throw new Error('this generation was ended by a later startGeneration()');
        yield withAlloc(4, (slot) => {
          check(wasm.tt_model_generate_next(model.#m, temperature, topK, slot));
          return new Int32Array(wasm.memory.buffer, slot, 1)[0];
        });
      }
    })();
  }

  /** The probability of each token coming next after the prompt (a Float32Array of the vocabulary's size). */
  nextTokenProbabilities(prompt) {
    const ids = toPrompt('nextTokenProbabilities', prompt);
    const vocab = this.#vocabSize;
    return withAlloc(ids.byteLength + vocab * 4, (p) => {
      new Int32Array(wasm.memory.buffer, p, ids.length).set(ids);
      const out = p + ids.byteLength;
      check(wasm.tt_model_next_token_probabilities(this.#m, p, ids.length, out));
      return f32(out, vocab).slice();
    });
  }

  /** What each position attends to over the prompt's last L = min(length, inputSize) tokens: for every attention
   * layer in order, one Float32Array of L x L weights per head (row q: position q's weights over positions 0..q). */
  attentionWeights(prompt) {
    const ids = toPrompt('attentionWeights', prompt);
    const heads = [];
    for (let k = 0, h; (h = wasm.tt_model_attention_heads(this.#m, k)) > 0; k++) heads.push(h);
    const L = Math.min(ids.length, this.inputSize);
    const floats = heads.reduce((sum, h) => sum + h * L * L, 0);
    return withAlloc(ids.byteLength + floats * 4, (p) => {
      new Int32Array(wasm.memory.buffer, p, ids.length).set(ids);
      const out = p + ids.byteLength;
      check(wasm.tt_model_attention_weights(this.#m, p, ids.length, out));
      const all = f32(out, floats).slice();
      let at = 0;
      return heads.map((count) => Array.from({ length: count }, () => all.subarray(at, (at += L * L))));
    });
  }

  /** Mean loss (nats per token) and next-token accuracy over a held-out stream, in fixed non-overlapping windows. */
  evaluateTokens(ids) {
    return withTokens('evaluateTokens', ids, (p, n, width) => withAlloc(8, (res) => {
      check(wasm.tt_model_evaluate_tokens(this.#m, p, n, width, res));
      const [loss, accuracy] = f32(res, 2);
      return { loss, accuracy };
    }));
  }

  /** Runs `steps` mini-batch steps on the data of setData(); returns the mean loss and accuracy of the chunk. */
  trainSteps(steps, batchSize = 32) {
    checkInt('trainSteps: steps', steps, 0);
    checkInt('trainSteps: batchSize', batchSize, 1);
    check(wasm.tt_model_train_steps(this.#m, steps, batchSize));
    return { loss: wasm.tt_model_last_loss(this.#m), accuracy: wasm.tt_model_last_accuracy(this.#m) };
  }

  /** Trains for `epochs` passes over (x, y); onEpoch({epoch, loss, accuracy}) after each. Returns the last. */
  fit(x, y, { epochs = 1, batchSize = 32, shuffle = true, onEpoch } = {}) {
    checkInt('fit: epochs', epochs, 0);
    checkInt('fit: batchSize', batchSize, 1);
    this.setData(x, y);
    this.setHparam('shuffle', shuffle ? 1 : 0);
    const n = x.length / this.inputSize; // setData checked it
    const stepsPerEpoch = Math.ceil(n / Math.min(batchSize, n));
    let result = { epoch: 0, loss: NaN, accuracy: NaN };
    for (let epoch = 1; epoch <= epochs; epoch++) {
      result = { epoch, ...this.trainSteps(stepsPerEpoch, batchSize) };
      onEpoch?.(result);
    }
    return result;
  }

  /** One optimizer step on one batch; returns its loss. */
  trainBatch(x, y) {
    this.#withXY(x, y, (px, py, n) => check(wasm.tt_model_train_batch(this.#m, px, py, n)));
    return wasm.tt_model_last_loss(this.#m);
  }

  #predict(x, probabilities) {
    const outs = this.outputSize;
    return this.#withXY(x, NO_LABELS, (px, _, n, out) => {
      check(wasm.tt_model_predict(this.#m, px, n, out, probabilities));
      return f32(out, n * outs).slice();
    }, outs);
  }

  /** The last layer's output for each sample (logits for classifiers), as PyTorch's nn.Sequential returns. */
  predict(x) { return this.#predict(x, 0); }

  /** predict() with softmax (cross_entropy) or sigmoid (binary_cross_entropy) applied. */
  probabilities(x) { return this.#predict(x, 1); }

  /** What serving this model costs here, measured in short slices that leave the page responsive (wasm/serving.js):
   * resolves with {flopsPerPrediction, p50Us, p95Us (µs per prediction at batch 1), perSecond: {1, 8, 64}}. */
  async measureServing(options) {
    return (await import('./serving.js')).measureServing(this, options);
  }

  /** A new inference-only model with this one's dense and conv2d weights in int8 (symmetric, one scale per output
   * channel: 4x smaller); predict, evaluate and generation work on it, training it throws. This model is unchanged.
   * Needs the full build (INT8_WASM_URL in int8.js, which holds the checks too and is loaded on first use). */
  async quantize(kind) {
    return (await import('./int8.js')).quantize(wasm, this.#m, kind, Model.#wrap);
  }

  /** Mean loss and accuracy (a fraction in [0, 1]; NaN for mse) over (x, y). */
  evaluate(x, y) {
    return this.#withXY(x, y, (px, py, n) => withAlloc(8, (res) => {
      check(wasm.tt_model_evaluate(this.#m, px, py, n, res));
      const [loss, accuracy] = f32(res, 2);
      return { loss, accuracy };
    }));
  }

  /** Changes a hyper-parameter while training: lr, momentum, weight_decay, beta1, beta2, eps, clip_norm; shuffle 1/0. */
  setHparam(name, value) {
    if (typeof name !== 'string') throw new TypeError(`setHparam: expected a name, got ${describe(name)}`);
    if (typeof value !== 'number') throw new TypeError(`setHparam: ${name}: expected a number, got ${describe(value)}`);
    // C reads up to a NUL: spelt \u0000, it matches no name
    withString(name.replaceAll('\0', '\\u0000') + '\0', (p) => check(wasm.tt_model_set_hparam(this.#m, p, value)));
  }

  /** A copy of all parameters as one block (PyTorch order and layout). The block moves with every training step
   * (the core keeps the weights before the last update, to roll back to on divergence): ask for it each time. */
  getWeights() {
    return f32(wasm.tt_model_params(this.#m), this.paramCount).slice();
  }

  setWeights(weights) {
    if (!(weights instanceof Float32Array) || weights.length !== this.paramCount) {
      const got = weights instanceof Float32Array ? `${weights.length} values` : describe(weights);
      throw new TypeError(`setWeights: expected a Float32Array of ${this.paramCount} values, got ${got}`);
    }
    for (let i = 0; i < weights.length; i++) { // as weight files: a NaN weight would poison every prediction
      if (!Number.isFinite(weights[i])) throw new Error(`setWeights: weights[${i}] is ${weights[i]}: weights must be finite`);
    }
    withCopy(weights, (p) => check(wasm.tt_model_set_weights(this.#m, p))); // also: a divergence stops at these
  }

  /** Re-initialises weights and optimizer state with a seed and resets the step and epoch counters. */
  reset(seed = this.spec.seed ?? 1) {
    checkInt('reset: seed', seed, 0, 0xffffffff);
    check(wasm.tt_model_reset(this.#m, seed >>> 0));
  }

  /** The model as .safetensors bytes (PyTorch nn.Sequential names; the spec in the metadata). */
  save() {
    return withAlloc(8, (slots) => { // out pointer and length (wasm32: 4 bytes each)
      check(wasm.tt_model_save(this.#m, slots, slots + 4));
      const [ptr, len] = new Uint32Array(wasm.memory.buffer, slots, 2);
      const bytes = new Uint8Array(wasm.memory.buffer, ptr, len).slice();
      wasm.tt_free(ptr);
      return bytes;
    });
  }

  /** Loads weights from .safetensors bytes whose tensor names and shapes match this model. */
  loadWeights(bytes) {
    const data = toBytes('loadWeights', bytes);
    withCopy(data, (p) => check(wasm.tt_model_load_weights(this.#m, p, data.length)));
  }

  dispose() {
    if (this.#ptr) wasm.tt_model_free(this.#ptr);
    this.#ptr = 0;
  }
}

// The digits page's serving lever: "int8 weights" on the model that answers the pad (Model#quantize), reversible,
// with the weights' size, the batch-1 latency and the held-out accuracy before and after; and the lesson beside it:
// a model trained for a few steps in a worker, quantized and batched, is fast and still wrong.
//
// Nothing here is a long task: quantizing is one short call, accuracy is counted over the held-out digits in
// slices of a few ms, latency in rounds of a few ms with the page's timer (web/timing.js), each in its own task.
import { Model } from '../../wasm/tinytrain.js';
import { Trainer } from '../../web/runtime/trainer.js';
import { microsecondsPerCall, formatMicroseconds } from '../../web/timing.js';
import { argmax } from './views.js';

const SLICE_MS = 8;
const LATENCY_ROUNDS = 3; // alternating f32 / int8, the fastest of each kept
export const EARLY_STEPS = 5;
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

const MARKUP = `
<h4>Lever: int8 weights</h4>
<label class="lever-switch" title="Quantize the model that answers the pad: every dense and conv2d weight becomes one byte (symmetric, one scale per output unit or filter); activations stay float. Turning it off gives the float model back.">
  <input type="checkbox" data-int8="switch" disabled> int8 weights for the pad</label>
<table aria-label="The model that answers the pad with float and with int8 weights">
  <thead><tr><th scope="col"></th><th scope="col">float32</th><th scope="col">int8</th></tr></thead>
  <tbody>
    <tr><th scope="row">weights</th><td data-int8="f32-bytes">–</td><td data-int8="int8-bytes">–</td></tr>
    <tr><th scope="row">latency p50, batch 1</th><td data-int8="f32-us">–</td><td data-int8="int8-us">–</td></tr>
    <tr><th scope="row">held-out accuracy</th><td data-int8="f32-accuracy">–</td><td data-int8="int8-accuracy">–</td></tr>
  </tbody>
</table>
<p class="how" data-int8="how">Needs a model that is not training.</p>
<h4>Fast is not right</h4>
<p><button type="button" data-int8="lesson-run">Compare with a model trained for ${EARLY_STEPS} steps</button></p>
<table aria-label="A barely trained model and the trained one, both quantized">
  <thead><tr><th scope="col"></th><th scope="col">steps</th><th scope="col">int8 p50, batch 1</th>
    <th scope="col">int8, batch 64</th><th scope="col">held-out accuracy (int8)</th></tr></thead>
  <tbody>
    <tr data-int8="early"><th scope="row">trained for a few steps</th><td>–</td><td>–</td><td>–</td><td>–</td></tr>
    <tr data-int8="trained"><th scope="row">the pad's model</th><td>–</td><td>–</td><td>–</td><td>–</td></tr>
  </tbody>
</table>
<p class="how" data-int8="lesson-how">Trains a fresh MLP for ${EARLY_STEPS} steps in a worker, quantizes it, and
  measures it beside the pad's model, quantized the same way.</p>`;

const TIPS = {
  'f32-bytes': 'Bytes of the float model\'s parameters in memory: 4 per parameter.',
  'int8-bytes': 'Bytes of the quantized model\'s weights in memory, as the core reports them: 1 per dense or conv2d ' +
    'weight (dense rows padded to blocks of 16), a 4-byte scale per output, and the biases as floats.',
  'f32-us': 'Time of one prediction of the pad\'s drawing (probabilities) with float weights: the fastest of ' +
    `${LATENCY_ROUNDS} rounds, each itself the fastest of 5 rounds of repeated calls of at least 2 ms, taken in turn with the int8 model.`,
  'int8-us': 'Time of one prediction with int8 weights, timed as the float one and in turn with it.',
  'f32-accuracy': 'Share of the 2,000 held-out digits the float model classifies right, counted on this page.',
  'int8-accuracy': 'Share of the 2,000 held-out digits the int8 model classifies right, counted on this page.',
};

const bytesText = (n) => (n >= 1e5 ? `${(n / 1e6).toFixed(2)} MB` : `${(n / 1e3).toFixed(1)} kB`);
const pct = (a) => (Number.isFinite(a) ? `${(100 * a).toFixed(2)}%` : '–');

/** Share of the held-out digits `model` classifies right, counted in slices of about SLICE_MS; null if `stale()`
 * turns true meanwhile. */
export async function heldOutAccuracy(model, test, stale = () => false) {
  let right = 0;
  for (let i = 0, chunk = 20, k; i < test.n; i += k) {
    if (stale()) return null;
    k = Math.min(chunk, test.n - i);
    const t0 = performance.now();
    const out = model.predict(test.x.subarray(i * 784, (i + k) * 784));
    for (let j = 0; j < k; j++) if (argmax(out, j * 10, 10) === test.y[i + j]) right++;
    chunk = Math.max(1, Math.min(500, Math.round((k * SLICE_MS) / Math.max(performance.now() - t0, 0.1))));
    await nextTask();
  }
  return right / test.n;
}

export class Int8Lever {
  #f = {};
  #page;
  #source = null;     // the float model quantized
  #quantized = null;  // its int8 copy, while the lever is on
  #removeRow = null;  // the cost panel's row for it
  #token = 0;         // bumped whenever the lever's model changes: older work stops
  #lessonBusy = false;
  #f32Scored = null;  // {model, accuracy}: the float model's held-out accuracy, counted once per model

  /**
   * container: where the lever goes. page: {model() (the float model answering the pad, or null), busy() (it is
   * training), input() (one drawing or digit), data() (a promise of {train, test}), panel (the CostPanel),
   * changed() (the pad should predict again), trainSpec(), trainData, trainOptions (for the lesson's worker)}.
   */
  constructor(container, page) {
    this.#page = page;
    const root = document.createElement('div');
    root.className = 'int8-lever';
    root.innerHTML = MARKUP; // constant markup; numbers are written with textContent
    container.append(root);
    for (const el of root.querySelectorAll('[data-int8]')) this.#f[el.dataset.int8] = el;
    for (const [field, tip] of Object.entries(TIPS)) this.#f[field].title = tip;
    this.#f.switch.addEventListener('change', () => this.#toggle(this.#f.switch.checked));
    this.#f['lesson-run'].addEventListener('click', () => this.#lesson());
  }

  /** The model the pad predicts with: the int8 copy while the lever is on, else the float model. */
  serving(model) {
    return this.#quantized && this.#source === model ? this.#quantized : model;
  }

  /** The page's model changed or started or stopped training: the lever lets go of an old copy. */
  update() {
    const m = this.#page.model(), free = !!m && !this.#page.busy();
    if (this.#source && (this.#source !== m || !free)) this.#off('The pad\'s model changed: turn int8 on again to quantize it.');
    this.#f.switch.disabled = !free;
    if (!this.#source) this.#f.how.textContent = free ? 'Off: the pad predicts with float weights.' : 'Needs a model that is not training.';
  }

  async #toggle(on) {
    if (!on) return this.#off('Off: the pad predicts with float weights again.');
    const m = this.#page.model();
    if (!m || this.#page.busy()) return this.update();
    const token = ++this.#token;
    try {
      const q = await m.quantize('int8');
      if (token !== this.#token || !this.#f.switch.checked) return q.dispose();
      this.#source = m;
      this.#quantized = q;
      this.#removeRow = this.#page.panel.addLever({ name: 'int8 weights', model: q, input: this.#page.input() });
      this.#set('f32-bytes', bytesText(4 * m.paramCount), 4 * m.paramCount);
      this.#set('int8-bytes', `${bytesText(q.weightBytes)} (${(4 * m.paramCount / q.weightBytes).toFixed(1)}× smaller)`, q.weightBytes);
      this.#f.how.textContent = 'On: the pad predicts with int8 weights. Measuring latency and accuracy…';
      this.#page.changed();
      await this.#measure(m, q, token);
    } catch (err) {
      if (token === this.#token) this.#off(`Could not quantize: ${err.message}`);
    }
  }

  #off(how) {
    this.#token++;
    this.#removeRow?.();
    this.#removeRow = null;
    const hadCopy = !!this.#quantized;
    this.#quantized?.dispose();
    this.#quantized = this.#source = null;
    this.#f.switch.checked = false;
    for (const field of ['int8-bytes', 'int8-us', 'int8-accuracy']) this.#set(field, '–', NaN);
    this.#f.how.textContent = how;
    if (hadCopy) this.#page.changed();
  }

  // Latency of both in turn (each round its own task), then accuracy of both over the held-out digits.
  async #measure(m, q, token) {
    const stale = () => token !== this.#token;
    const x = this.#page.input();
    const us = { f32: Infinity, int8: Infinity };
    for (let round = 0; round < LATENCY_ROUNDS; round++) {
      for (const [name, model] of [['f32', m], ['int8', q]]) {
        await nextTask();
        if (stale()) return;
        us[name] = Math.min(us[name], microsecondsPerCall(() => model.probabilities(x), { rounds: 5, roundMs: 2, maxCallsPerRound: 1000 }));
      }
    }
    this.#set('f32-us', formatMicroseconds(us.f32), us.f32);
    const speedup = us.f32 / us.int8, relative = speedup >= 1 ? `${speedup.toFixed(2)}× faster` : `${(1 / speedup).toFixed(2)}× slower`;
    this.#set('int8-us', `${formatMicroseconds(us.int8)} (${relative})`, us.int8);
    const { test } = await this.#page.data();
    if (stale()) return;
    const f32Accuracy = m === this.#f32Scored?.model ? this.#f32Scored.accuracy : await heldOutAccuracy(m, test, stale);
    if (f32Accuracy === null) return;
    this.#f32Scored = { model: m, accuracy: f32Accuracy };
    const int8Accuracy = await heldOutAccuracy(q, test, stale);
    if (int8Accuracy === null) return;
    this.#set('f32-accuracy', pct(f32Accuracy), f32Accuracy);
    this.#set('int8-accuracy', `${pct(int8Accuracy)} (${formatPoints(int8Accuracy - f32Accuracy)})`, int8Accuracy);
    this.#f.how.textContent = 'On: the pad predicts with int8 weights. Latency: the pad\'s drawing, timed on this page ' +
      'in turn with the float model; accuracy: the 2,000 held-out digits.';
    this.#f.how.dataset.done = '1';
  }

  // The lesson: a fresh MLP trained for EARLY_STEPS steps in a worker, quantized, beside the pad's model quantized;
  // both timed at batch 1 and 64 (Model#measureServing, idle slices) and scored on the held-out digits.
  async #lesson() {
    if (this.#lessonBusy) return;
    const trained = this.#page.model(), button = this.#f['lesson-run'], how = this.#f['lesson-how'];
    if (!trained) {
      how.textContent = 'Needs a model on the pad first.';
      return;
    }
    this.#lessonBusy = button.disabled = true;
    const made = [];
    let trainer = null;
    try {
      const { test } = await this.#page.data();
      how.textContent = `Training a fresh MLP for ${EARLY_STEPS} steps in a worker…`;
      trainer = new Trainer(this.#page.trainSpec(), this.#page.trainData, { ...this.#page.trainOptions, Model });
      await trainer.ready;
      await trainer.step(EARLY_STEPS);
      const early = await Model.load(trainer.predictor.save());
      made.push(early);
      trainer.dispose();
      trainer = null;
      const rows = [['early', early, EARLY_STEPS], ['trained', trained, this.#page.steps(trained)]];
      const results = {};
      for (const [row, model, steps] of rows) {
        how.textContent = `Quantizing and measuring the ${row === 'early' ? 'barely trained' : 'pad\'s'} model…`;
        const q = await model.quantize('int8');
        made.push(q);
        const s = await q.measureServing({ batches: [1, 64], input: this.#page.input(), maxCallMs: 40 });
        const accuracy = await heldOutAccuracy(q, test);
        this.#lessonRow(row, steps, s, accuracy);
        results[row] = { s, accuracy };
      }
      const { early: e, trained: t } = results, wrong = (a) => `${(100 * (1 - a)).toFixed(1)}%`;
      how.textContent = `The model trained for ${EARLY_STEPS} steps answers in ${formatMicroseconds(e.s.p50Us)} ` +
        `(the pad's model: ${formatMicroseconds(t.s.p50Us)}) and gets ${wrong(e.accuracy)} of the held-out digits ` +
        `wrong (the pad's model: ${wrong(t.accuracy)}). int8 and batching make serving cheap; only training makes it ` +
        'right. Both quantized to int8 and measured on this page: latency p50 at batch 1 over timed groups of calls, ' +
        'throughput at batch 64 from the fastest of 5 rounds, accuracy over the 2,000 held-out digits.';
      how.dataset.done = '1';
    } catch (err) {
      how.textContent = `Could not run the comparison: ${err.message}`;
    } finally {
      trainer?.dispose();
      for (const m of made) m.dispose();
      this.#lessonBusy = button.disabled = false;
    }
  }

  #lessonRow(row, steps, s, accuracy) {
    const cells = this.#f[row].querySelectorAll('td');
    const texts = [Number.isFinite(steps) ? steps.toLocaleString('en') : 'not known', formatMicroseconds(s.p50Us),
      Number.isFinite(s.perSecond[64]) ? `${Math.round(s.perSecond[64]).toLocaleString('en')}/s` : 'skipped', pct(accuracy)];
    const tips = ['Optimizer steps that trained it.', 'Median time of one int8 prediction at batch 1, over timed groups of calls on this page.',
      'Predictions per second in calls of 64 digits, the fastest of 5 rounds.', 'Share of the 2,000 held-out digits the int8 model classifies right.'];
    cells.forEach((cell, i) => { cell.textContent = texts[i]; cell.title = tips[i]; });
    this.#f[row].dataset.accuracy = String(accuracy);
    this.#f[row].dataset.p50 = String(s.p50Us);
  }

  #set(field, text, value) {
    const el = this.#f[field];
    el.textContent = text;
    el.dataset.value = Number.isFinite(value) ? String(value) : '';
  }
}

const formatPoints = (d) => `${d >= 0 ? '+' : '−'}${Math.abs(100 * d).toFixed(2)} points`;

// The cost panel: what training cost so far, what serving costs (measured on the page's own model), when serving
// has used as much compute as training did, and the same arithmetic for a model the reader names. Used by the
// demos and, compact, by <tiny-train panels="costs"> (web/widget/costs.js). It draws only what it is given
// (training counters from the Trainer's progress, the model that answers on the page) and what it measures itself
// (Model.measureServing, in idle slices). Every number carries its unit and a tooltip saying how it was measured.
//
//   const panel = new CostPanel(container, { unit: ['prediction', 'predictions'] });
//   trainer.addEventListener('progress', (e) => panel.setTraining(trainingFromProgress(e.detail)));
//   panel.setModel(trainer.predictor, { input: oneSample });
//   panel.addLever({ name: 'int8 weights', model: quantized }); // another row of the serving table
//
// A text page counts tokens: unit ['token', 'tokens'], samplesName 'tokens', and its own flopsPerPrediction and
// measure(model, options) for one generated token.
import {
  breakEven, scaleUp, ruleOfThumb, wattHours, parseAmount, formatFlops, formatCount, formatDuration, formatDays,
  formatWattHours, DEFAULT_WATTS, DEFAULT_SCALE,
} from '../costs.js';

export const BATCHES = [1, 8, 64];
// A batch size whose one call would take longer is not measured on the page (it would be a long task).
const MAX_CALL_MS = 40;
const TRAINING_REDRAW_MS = 250; // the training numbers: four times a second
const DEFAULT_PER_DAY = 100000;

const CSS = `
.costs { display: block; margin-top: 10px; font-size: 13px; line-height: 1.45; }
.costs h3 { font-size: 15px; margin: 0 0 6px; }
.costs h4 { font-size: 13px; margin: 0 0 4px; }
.costs small, .costs .how { color: var(--mute, var(--muted, #59636e)); font-weight: normal; }
.costs .how { font-size: 12px; margin: 4px 0 0; }
.costs-grid { display: grid; gap: 10px; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); }
.costs-grid > div, .costs details { background: var(--panel, #f6f8fa); border: 1px solid var(--line, #d1d9e0);
  border-radius: 6px; padding: 8px; overflow-x: auto; }
.costs details { margin-top: 10px; }
.costs summary { cursor: pointer; font-weight: 600; }
.costs dl { display: grid; grid-template-columns: minmax(0, max-content) minmax(7em, 1fr); gap: 2px 10px; margin: 0; }
.costs dt { color: var(--mute, var(--muted, #59636e)); }
.costs dd { margin: 0; font-variant-numeric: tabular-nums; }
.costs table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin-top: 6px; }
.costs th, .costs td { text-align: right; padding: 1px 8px 1px 0; }
.costs td { white-space: nowrap; }
.costs th:first-child, .costs td:first-child { text-align: left; }
.costs label { display: inline-flex; gap: 6px; align-items: center; margin: 4px 10px 4px 0; }
.costs input { width: 9em; font: inherit; color: inherit; background: var(--bg, #fff);
  border: 1px solid var(--line, #d1d9e0); border-radius: 4px; padding: 1px 4px; }
.costs button { font: inherit; padding: 3px 10px; border-radius: 5px; border: 1px solid var(--accent, #2563eb);
  background: var(--accent, #2563eb); color: var(--on-accent, #fff); cursor: pointer; }
.costs button:disabled { opacity: 0.6; cursor: default; }
.costs progress { vertical-align: middle; margin-left: 8px; }
.costs .problem { color: var(--err-fg, #b42318); }
`;

let sheet = null;

// Adopts the panel's style sheet into the document or shadow root holding `element`, once (no style-src needed).
function adoptStyles(element) {
  const root = element.getRootNode();
  if (!root.adoptedStyleSheets) return;
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}

// Markup: constant text only; every number is written later with textContent. [data-cost] names a value (tests
// and the panel's code read it), [data-how] holds its tooltip.
const MARKUP = `
<h3><span data-cost="title"></span> <small>measured in this tab</small></h3>
<div class="costs-grid">
  <div>
    <h4>Training so far</h4>
    <dl>
      <dt>optimizer steps</dt><dd data-cost="steps">–</dd>
      <dt data-cost="samples-name">samples</dt><dd data-cost="samples">–</dd>
      <dt>compute</dt><dd data-cost="training-flops">–</dd>
      <dt>wall time</dt><dd data-cost="wall">–</dd>
      <dt>CPU time in the worker</dt><dd data-cost="cpu">–</dd>
    </dl>
    <p class="how" data-cost="training-how"></p>
  </div>
  <div>
    <h4>Serving <small data-cost="model-name"></small></h4>
    <dl>
      <dt data-cost="flops-label">compute per prediction</dt><dd data-cost="flops-per-prediction">–</dd>
      <dt>latency p50, batch 1</dt><dd data-cost="p50">–</dd>
      <dt>latency p95, batch 1</dt><dd data-cost="p95">–</dd>
    </dl>
    <table aria-label="Batching: latency and throughput by batch size">
      <thead><tr><th scope="col">batch</th>
        <th scope="col" title="The time of one call with that many samples: how long each of them waits for its answer.">one call</th>
        <th scope="col" data-cost="per-unit-label" title="One call's time divided by the batch size.">per prediction</th>
        <th scope="col" data-cost="per-second-label" title="The batch size divided by one call's time, from the fastest of 5 rounds of calls.">predictions/s</th></tr></thead>
      <tbody data-cost="batches"></tbody>
    </table>
    <p><button type="button" data-cost="measure">Measure serving</button><progress data-cost="progress" max="1" value="0" aria-label="Measuring serving" hidden></progress></p>
    <p class="how" data-cost="serving-how">Not measured yet: Measure serving times the model that answers on this page.</p>
  </div>
  <div>
    <h4>Break-even</h4>
    <p data-cost="break-even-text">–</p>
    <label><span data-cost="per-day-label">Predictions per day</span> <input data-cost="per-day" inputmode="decimal" autocomplete="off"></label>
    <dl>
      <dt>serving catches up on</dt><dd data-cost="day">–</dd>
      <dt>CPU time per day, batch 1</dt><dd data-cost="cpu-per-day">–</dd>
      <dt data-cost="cpu-per-day-batched-label">CPU time per day, batch 64</dt><dd data-cost="cpu-per-day-batched">–</dd>
      <dt>by CPU time, break-even after</dt><dd data-cost="break-even-time">–</dd>
    </dl>
    <p class="problem" role="alert" data-cost="per-day-problem" hidden></p>
  </div>
</div>
<details data-cost="scale">
  <summary>Scale it up (estimates)</summary>
  <p class="how">The standard estimates for a dense model of N parameters: training takes about 6·N·D FLOPs for D
    training tokens, answering about 2·N FLOPs per generated token. Estimates, not measurements.</p>
  <label>Parameters N <input data-cost="scale-params"></label>
  <label>Training tokens D <input data-cost="scale-tokens"></label>
  <label>Answer length L (tokens) <input data-cost="scale-answer"></label>
  <label>Questions per day Q <input data-cost="scale-queries"></label>
  <p class="problem" role="alert" data-cost="scale-problem" hidden></p>
  <table aria-label="Estimates for the model you name, beside this tab's toy model">
    <thead><tr><th scope="col"></th><th scope="col">formula</th><th scope="col">your model (estimate)</th><th scope="col">this toy, measured</th><th scope="col">this toy by the formula</th></tr></thead>
    <tbody>
      <tr><td>training</td><td>6·N·D</td><td data-cost="scale-training">–</td><td data-cost="toy-training">–</td><td data-cost="toy-training-thumb">–</td></tr>
      <tr><td>per token or prediction</td><td>2·N</td><td data-cost="scale-per-token">–</td><td data-cost="toy-per-prediction">–</td><td data-cost="toy-per-prediction-thumb">–</td></tr>
      <tr><td>per answer</td><td>2·N·L</td><td data-cost="scale-per-answer">–</td><td></td><td></td></tr>
      <tr><td>a day of serving</td><td>2·N·L·Q</td><td data-cost="scale-per-day">–</td><td></td><td></td></tr>
      <tr><td>break-even</td><td>3·D / L answers</td><td data-cost="scale-break-even">–</td><td data-cost="toy-break-even">–</td><td></td></tr>
    </tbody>
  </table>
</details>
<details data-cost="energy">
  <summary>Energy (estimate)</summary>
  <label>Watts while busy <input data-cost="watts"></label>
  <dl>
    <dt>training so far</dt><dd data-cost="energy-training">–</dd>
    <dt>per 1,000 predictions</dt><dd data-cost="energy-per-1000">–</dd>
    <dt>per day</dt><dd data-cost="energy-per-day">–</dd>
  </dl>
  <p class="problem" role="alert" data-cost="energy-problem" hidden></p>
  <p class="how">An estimate: the watts you set times the CPU time measured in this tab (training: the worker's
    time inside the core; serving: p50 at batch 1). It leaves out the screen, memory and idle power.</p>
</details>`;

/** The training counters of a Trainer progress detail, as the panel takes them (tokens for a language model). */
export function trainingFromProgress(p, how) {
  const tokens = Number.isFinite(p.tokensSeen);
  return {
    steps: p.step, samples: tokens ? p.tokensSeen : p.samplesSeen, samplesName: tokens ? 'tokens' : 'samples',
    flops: p.flopsDone, wallMs: p.wallMs, cpuMs: p.cpuMs,
    how: how ?? `Counted by the training worker: ${tokens ? 'windows' : 'samples'} seen × the model's FLOPs per ` +
      'training sample (forward and backward). Wall time: time spent training, pauses between chunks included; ' +
      'CPU time: the time inside the core\'s training calls, on the worker\'s clock.',
  };
}

export class CostPanel {
  #root;
  #fields = {};
  #unit;
  #training = null;
  #model = null;
  #modelOptions = {};
  #serving = null;        // the last measureServing result for #model
  #levers = [];           // [{name, model, input, result}]
  #measuring = null;      // AbortController of the measurement in progress
  #servingProblem = '';   // why the last measurement failed
  #perDay = DEFAULT_PER_DAY;
  #scale = { ...DEFAULT_SCALE };
  #watts = DEFAULT_WATTS;
  #frame = 0;
  #trainingTimer = 0;
  #tableShows = null;     // what the serving table was last built from: rebuilt only when that changes

  /**
   * container: where the panel goes (it appends a region). Options: compact (the widget's: the estimates
   * folded), unit ([one, many]: 'prediction(s)' or 'token(s)'), perDay, watts, label (the section's
   * accessible name and heading).
   */
  constructor(container, { compact = false, unit = ['prediction', 'predictions'], perDay = DEFAULT_PER_DAY,
    watts = DEFAULT_WATTS, label = 'What serving costs' } = {}) {
    this.#unit = unit;
    this.#perDay = perDay;
    this.#watts = watts;
    const root = this.#root = document.createElement('div'); // a region of its own, without the page's section styles
    root.className = `costs${compact ? ' compact' : ''}`;
    root.setAttribute('role', 'region');
    root.setAttribute('aria-label', label);
    root.innerHTML = MARKUP; // constant markup
    container.append(root);
    adoptStyles(root);
    for (const el of root.querySelectorAll('[data-cost]')) this.#fields[el.dataset.cost] = el;
    const f = this.#fields;
    f.title.textContent = label;
    if (!compact) f.scale.open = true;
    f['per-day-label'].textContent = `${capitalise(unit[1])} per day`;
    f['flops-label'].textContent = `compute per ${unit[0]}`;
    f['per-second-label'].textContent = `${unit[1]}/s`;
    f['per-unit-label'].textContent = `per ${unit[0]}`;
    f['per-day'].value = formatCount(perDay);
    f.watts.value = String(watts);
    f['scale-params'].value = formatCount(this.#scale.params);
    f['scale-tokens'].value = formatCount(this.#scale.tokens);
    f['scale-answer'].value = String(this.#scale.answerTokens);
    f['scale-queries'].value = formatCount(this.#scale.queriesPerDay);
    f.measure.addEventListener('click', () => this.measure().catch(() => {})); // shown in the panel
    f['per-day'].addEventListener('input', () => this.#readPerDay());
    f.watts.addEventListener('input', () => this.#readWatts());
    for (const k of ['params', 'tokens', 'answer', 'queries']) f[`scale-${k}`].addEventListener('input', () => this.#readScale());
    this.#setTooltips();
    this.#render();
  }

  /** The panel's element. */
  get element() { return this.#root; }

  /** The last serving measurement of the page's model ({flopsPerPrediction, p50Us, p95Us, perSecond, ...}). */
  get serving() { return this.#serving; }

  /**
   * Training so far: {steps, samples, flops, wallMs, cpuMs, how, samplesName} (unknown ones undefined or NaN;
   * `how`: the caption saying where the numbers come from). null: nothing trained.
   */
  setTraining(training) {
    this.#training = training;
    // Progress comes many times a second; its numbers are drawn a few times a second (new text is laid out anew),
    // in a task of their own rather than in the page's animation frames.
    this.#trainingTimer ||= setTimeout(() => {
      this.#trainingTimer = 0;
      this.#render();
    }, TRAINING_REDRAW_MS);
  }

  /**
   * The model that answers on the page. options: input (one real sample to time with, or a function returning
   * it when the measurement starts), label (its name),
   * flopsPerPrediction (default model.flops.forward), measure(model, options) (default model.measureServing).
   * A different model forgets the last measurement.
   */
  setModel(model, options = {}) {
    const sameLabel = options.label === this.#modelOptions.label;
    if (model !== this.#model) {
      this.#measuring?.abort(new Error('the model changed while it was being measured'));
      this.#serving = null;
    }
    const changed = model !== this.#model || !sameLabel;
    this.#model = model;
    this.#modelOptions = options;
    if (changed) this.#schedule(); // the same model again (a page may say so at every step) changes nothing shown
  }

  /** Another model to measure beside the page's (e.g. a quantized copy): a row in the serving table. Returns a
   * function that removes the row. */
  addLever({ name, model, input }) {
    const lever = { name, model, input, result: null };
    this.#levers.push(lever);
    this.#schedule();
    return () => {
      this.#levers = this.#levers.filter((l) => l !== lever);
      this.#schedule();
    };
  }

  /** Measures the page's model (and the levers) in idle slices; resolves with the page model's result. */
  async measure() {
    const model = this.#model, f = this.#fields;
    if (!model) {
      this.#servingProblem = 'No model to measure yet.';
      this.#render();
      throw new Error(this.#servingProblem);
    }
    this.#servingProblem = '';
    this.#measuring?.abort(new Error('measured again'));
    const controller = this.#measuring = new AbortController();
    f.measure.disabled = true;
    f.progress.hidden = false;
    f.progress.value = 0;
    f['serving-how'].textContent = 'Measuring in short slices between the page\'s other work…';
    const input = this.#modelOptions.input;
    const jobs = [{ model, input: typeof input === 'function' ? input() : input, own: true }, ...this.#levers.filter((l) => l.model)];
    try {
      let result = null;
      for (const [i, job] of jobs.entries()) {
        const options = {
          batches: BATCHES, input: job.input, maxCallMs: MAX_CALL_MS, signal: controller.signal,
          onProgress: (fraction) => { f.progress.value = (i + fraction) / jobs.length; },
        };
        const measure = (job.own && this.#modelOptions.measure) || ((m, o) => m.measureServing(o));
        const r = await measure(job.model, options);
        if (job.own) result = this.#serving = r;
        else job.result = r;
      }
      return result;
    } catch (err) {
      if (this.#measuring === controller) this.#servingProblem = `Could not measure: ${err.message}`;
      throw err;
    } finally {
      if (this.#measuring === controller) {
        this.#measuring = null;
        f.measure.disabled = false;
        f.progress.hidden = true;
        this.#render();
      }
    }
  }

  dispose() {
    this.#measuring?.abort(new Error('the panel was closed'));
    cancelAnimationFrame(this.#frame);
    clearTimeout(this.#trainingTimer);
    this.#root.remove();
  }

  // ---- reading the reader's numbers

  #readPerDay() {
    try {
      this.#perDay = parseAmount(`${capitalise(this.#unit[1])} per day`, this.#fields['per-day'].value, { min: 1, max: 1e15 });
      this.#problem('per-day-problem', '');
    } catch (err) {
      this.#problem('per-day-problem', err.message);
    }
    this.#schedule();
  }

  #readWatts() {
    try {
      this.#watts = parseAmount('Watts', this.#fields.watts.value, { min: 0.001, max: 1e6 });
      this.#problem('energy-problem', '');
    } catch (err) {
      this.#problem('energy-problem', err.message);
    }
    this.#schedule();
  }

  #readScale() {
    const f = this.#fields;
    try {
      this.#scale = {
        params: parseAmount('Parameters N', f['scale-params'].value, { min: 1, max: 1e15 }),
        tokens: parseAmount('Training tokens D', f['scale-tokens'].value, { min: 1, max: 1e18 }),
        answerTokens: parseAmount('Answer length L', f['scale-answer'].value, { min: 1, max: 1e7, whole: true }),
        queriesPerDay: parseAmount('Questions per day Q', f['scale-queries'].value, { min: 1, max: 1e13 }),
      };
      this.#problem('scale-problem', '');
    } catch (err) {
      this.#problem('scale-problem', err.message);
    }
    this.#schedule();
  }

  // Shows a message under the reader's inputs; '' hides it.
  #problem(field, message) {
    const el = this.#fields[field];
    el.textContent = message;
    el.hidden = !message;
  }

  // ---- drawing

  #schedule() {
    this.#frame ||= requestAnimationFrame(() => {
      this.#frame = 0;
      this.#render();
    });
  }

  // Writes a value: its text (with unit) and the raw number in data-value, for tests and the curious.
  #set(field, text, value) {
    const el = this.#fields[field];
    if (el.textContent !== text) el.textContent = text;
    const raw = Number.isFinite(value) ? String(value) : '';
    if (el.dataset.value !== raw) el.dataset.value = raw;
  }

  #render() {
    const f = this.#fields, t = this.#training, model = this.#model, s = this.#serving, [one, many] = this.#unit;
    // training
    const samplesName = t?.samplesName ?? (one === 'token' ? 'tokens' : 'samples');
    f['samples-name'].textContent = `${samplesName} seen`;
    this.#set('steps', t ? formatCount(t.steps) : '–', t?.steps);
    this.#set('samples', t ? `${formatCount(t.samples)} ${samplesName}` : '–', t?.samples);
    this.#set('training-flops', t ? formatFlops(t.flops) : '–', t?.flops);
    const time = (ms) => (!t ? '–' : Number.isFinite(ms) ? formatDuration(ms / 1000) : 'not measured in this tab');
    this.#set('wall', time(t?.wallMs), t?.wallMs);
    this.#set('cpu', time(t?.cpuMs), t?.cpuMs);
    f['training-how'].textContent = t?.how ?? 'Nothing trained in this tab yet: press Train.';
    // serving
    let flopsPerPrediction = NaN, params = NaN;
    try {
      flopsPerPrediction = model ? (this.#modelOptions.flopsPerPrediction ?? model.flops.forward) : NaN;
      params = model ? model.paramCount : NaN;
    } catch {
      // a model disposed by its page, which is about to give the next one: nothing to show meanwhile
    }
    f['model-name'].textContent = this.#modelOptions.label ?? '';
    this.#set('flops-per-prediction', formatFlops(flopsPerPrediction), flopsPerPrediction);
    this.#set('p50', s ? perPrediction(s.p50Us) : '–', s?.p50Us);
    this.#set('p95', s ? perPrediction(s.p95Us) : '–', s?.p95Us);
    const tableShows = [s, ...this.#levers.flatMap((lever) => [lever, lever.result])];
    if (tableShows.length !== this.#tableShows?.length || tableShows.some((item, i) => item !== this.#tableShows[i])) {
      this.#tableShows = tableShows;
      this.#renderBatches();
    }
    if (this.#servingProblem && !this.#measuring) {
      f['serving-how'].textContent = this.#servingProblem;
    } else if (s && !this.#measuring) {
      f['serving-how'].textContent = `Measured on this page, ${s.output === 'probabilities' ? 'with probabilities' : 'raw outputs'}: ` +
        `p50/p95 over ${s.latency.groups} timed groups of about 1 ms of calls at batch 1 (${s.latency.callsPerGroup} ` +
        'calls each at the end: the page clock steps by 0.1 ms, too coarse for one call); throughput per batch size ' +
        'is the fastest of 5 rounds of calls of at least 2 ms. Between slices the page keeps running.';
    } else if (!this.#measuring) {
      f['serving-how'].textContent = 'Not measured yet: Measure serving times the model that answers on this page.';
    }
    // break-even
    const secondsPerPrediction = s ? s.p50Us / 1e6 : NaN;
    const b = breakEven({
      trainingFlops: t?.flops, flopsPerPrediction, perDay: this.#perDay, secondsPerPrediction,
      trainingCpuSeconds: (t?.cpuMs ?? NaN) / 1000,
    });
    const batched = s && s.perSecond[64] > 0 ? this.#perDay / s.perSecond[64] : NaN;
    f['break-even-text'].textContent = Number.isFinite(b.predictions)
      ? `After ${formatCount(b.predictions)} ${many}, serving has used as much compute as training did ` +
        `(${formatFlops(t.flops)} ÷ ${formatFlops(flopsPerPrediction)} per ${one}).`
      : `Train, and this says after how many ${many} serving has used as much compute as training.`;
    f['break-even-text'].dataset.value = Number.isFinite(b.predictions) ? String(b.predictions) : '';
    this.#set('day', Number.isFinite(b.day) ? `day ${formatCount(b.day)} (${formatDays(b.days)})` : '–', b.day);
    this.#set('cpu-per-day', Number.isFinite(b.cpuSecondsPerDay) ? formatDuration(b.cpuSecondsPerDay) : 'measure serving', b.cpuSecondsPerDay);
    this.#set('cpu-per-day-batched', Number.isFinite(batched) ? formatDuration(batched) : '–', batched);
    this.#set('break-even-time', Number.isFinite(b.predictionsByTime) ? `${formatCount(b.predictionsByTime)} ${many}` : '–', b.predictionsByTime);
    this.#renderScale(params, t, flopsPerPrediction, b);
    this.#renderEnergy(t, s, b);
  }

  // One row per batch size: the time of one call, per prediction, and predictions per second (batching side by
  // side); then one row per lever.
  #renderBatches() {
    const s = this.#serving, rows = [];
    const row = (cells, value) => {
      const tr = document.createElement('tr');
      cells.forEach((text, i) => {
        const cell = document.createElement(i ? 'td' : 'th');
        if (!i) cell.scope = 'row';
        cell.textContent = text;
        tr.append(cell);
      });
      if (Number.isFinite(value)) tr.dataset.perSecond = String(value);
      return tr;
    };
    for (const batch of BATCHES) {
      const perSecond = s?.perSecond[batch], us = s?.usPerCall[batch], skipped = s?.skipped?.[batch];
      const cells = !s ? [String(batch), '–', '–', '–'] : skipped ? [String(batch), 'skipped', '', skipped]
        : [String(batch), perPrediction(us), perPrediction(us / batch), `${formatCount(perSecond)}/s`];
      const tr = row(cells, perSecond);
      tr.dataset.batch = String(batch);
      rows.push(tr);
    }
    for (const lever of this.#levers) {
      const r = lever.result;
      const tr = row([lever.name, r ? `p50 ${perPrediction(r.p50Us)}` : '–', '',
        r ? BATCHES.map((batch) => `${formatCount(r.perSecond[batch])}/s`).join(' · ') : 'measure serving'], r?.perSecond[1]);
      tr.dataset.lever = lever.name;
      tr.cells[1].title = `${lever.name}: median time per ${this.#unit[0]} at batch 1, measured as the model above.`;
      tr.cells[3].title = `${lever.name}: ${this.#unit[1]} per second at batch ${BATCHES.join(', ')}, measured as the model above.`;
      rows.push(tr);
    }
    this.#fields.batches.replaceChildren(...rows);
  }

  #renderScale(params, t, flopsPerPrediction, b) {
    const e = scaleUp(this.#scale), [one] = this.#unit;
    this.#set('scale-training', formatFlops(e.trainingFlops), e.trainingFlops);
    this.#set('scale-per-token', `${formatFlops(e.flopsPerToken)} per token`, e.flopsPerToken);
    this.#set('scale-per-answer', formatFlops(e.flopsPerAnswer), e.flopsPerAnswer);
    this.#set('scale-per-day', formatFlops(e.flopsPerDay), e.flopsPerDay);
    this.#set('scale-break-even', `${formatCount(e.breakEvenAnswers)} answers: ${formatDays(e.breakEvenDays)}`, e.breakEvenAnswers);
    const thumb = params > 0 ? ruleOfThumb(params, t?.samples ?? NaN) : null;
    this.#set('toy-training', t ? formatFlops(t.flops) : '–', t?.flops);
    this.#set('toy-training-thumb', thumb && t ? `${formatFlops(thumb.trainingFlops)} (N = ${formatCount(params)})` : '–', thumb?.trainingFlops);
    this.#set('toy-per-prediction', `${formatFlops(flopsPerPrediction)} per ${one}`, flopsPerPrediction);
    this.#set('toy-per-prediction-thumb', thumb ? formatFlops(thumb.flopsPerPrediction) : '–', thumb?.flopsPerPrediction);
    this.#set('toy-break-even', Number.isFinite(b.predictions) ? `${formatCount(b.predictions)} ${this.#unit[1]}` : '–', b.predictions);
  }

  #renderEnergy(t, s, b) {
    const w = this.#watts;
    const training = wattHours(w, (t?.cpuMs ?? NaN) / 1000);
    const per1000 = s ? wattHours(w, (1000 * s.p50Us) / 1e6) : NaN;
    const perDay = wattHours(w, b.cpuSecondsPerDay);
    this.#set('energy-training', Number.isFinite(training) ? formatWattHours(training) : '–', training);
    this.#set('energy-per-1000', Number.isFinite(per1000) ? formatWattHours(per1000) : 'measure serving', per1000);
    this.#set('energy-per-day', Number.isFinite(perDay) ? formatWattHours(perDay) : '–', perDay);
  }

  #setTooltips() {
    const f = this.#fields, [one, many] = this.#unit;
    const tips = {
      steps: 'Optimizer steps taken by the training worker.',
      samples: 'Training samples the worker has used (steps × batch size).',
      'training-flops': 'FLOPs of training: samples seen × the core\'s count of FLOPs per training sample (forward and backward).',
      wall: 'Time spent training, measured in the worker, including its short pauses between chunks.',
      cpu: 'Time inside the core\'s training calls in the worker (its clock: the thread may share its core).',
      'flops-per-prediction': `The core's count of FLOPs for one ${one} (the forward pass).`,
      p50: `Median time per ${one} at batch 1, over timed groups of calls on this page.`,
      p95: `95th percentile of the time per ${one} at batch 1, over timed groups of calls on this page.`,
      'break-even-text': `Training FLOPs ÷ FLOPs per ${one}.`,
      day: `The break-even count ÷ ${many} per day, rounded up to the day it falls on.`,
      'cpu-per-day': `${capitalise(many)} per day × the p50 time of one ${one} at batch 1.`,
      'cpu-per-day-batched': `${capitalise(many)} per day ÷ the measured ${many} per second at batch 64.`,
      'break-even-time': `Training CPU time ÷ the p50 time of one ${one}: the same break-even by measured time.`,
      'scale-training': 'Estimate: 6 × N × D FLOPs.',
      'scale-per-token': 'Estimate: 2 × N FLOPs per generated token.',
      'scale-per-answer': 'Estimate: 2 × N × L FLOPs.',
      'scale-per-day': 'Estimate: 2 × N × L × Q FLOPs.',
      'scale-break-even': 'Estimate: 6·N·D ÷ (2·N·L) = 3·D ÷ L answers, ÷ Q per day.',
      'toy-training': 'Measured: counted by the training worker.',
      'toy-training-thumb': 'The formula on this toy: 6 × its parameters × its samples seen.',
      'toy-per-prediction': 'Measured: the core\'s count for one forward pass.',
      'toy-per-prediction-thumb': 'The formula on this toy: 2 × its parameters (weights shared across positions, as in a convolution, make the real count larger).',
      'energy-training': 'Estimate: watts × the worker\'s CPU time in training.',
      'energy-per-1000': `Estimate: watts × 1,000 × the p50 time of one ${one}.`,
      'energy-per-day': 'Estimate: watts × the CPU time per day at batch 1.',
    };
    for (const [field, tip] of Object.entries(tips)) f[field].title = tip;
  }
}

const capitalise = (s) => s[0].toUpperCase() + s.slice(1);
const perPrediction = (us) => (Number.isFinite(us) ? formatDuration(us / 1e6) : '–');

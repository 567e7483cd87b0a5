// The Digits page: wires the draw pad, the MNIST data, a Trainer (training in a worker) and a predictor on the
// page together. Model code, the pad and its preprocessing live in wasm/ and web/ (shared with the widget); the views
// and model specs are modules beside this.
//
// Which model answers the pad: the last one chosen — a pretrained/loaded model (state.own, a Model on the page)
// or, once "Train" is pressed, the Trainer's predictor, which follows the worker's snapshots. Train continues from
// the model that answers the pad when the form describes it; a run that diverges before any good step hands the
// pad back to the model that answered before.
import { Model, loadTinytrain } from '../../wasm/tinytrain.js';
import { INT8_WASM_URL } from '../../wasm/int8.js';
import { Trainer, DEFAULT_MEMORY_LIMIT } from '../../web/runtime/trainer.js';
import { PACE } from '../../web/runtime/protocol.js';
import { Series, drawLineChart } from '../../web/views/chart.js';
import { classColor, pageColors } from '../../web/views/palette.js';
import { probabilityBars } from '../../web/views/bars.js';
import { MODELS, PRETRAIN, AUGMENT, withAugment } from './models.js';
import { preprocessRGBA } from '../../web/digits-preprocess.js';
import { DrawPad, KEYBOARD_HELP } from '../../web/views/drawpad.js';
import { downloadBytes, readModelFile, wireWeightsControls } from '../shared/weights-file.js';
import { explainTerms } from '../../web/views/glossary.js';
import { overfitting, overfittingText, stopAtBestLabel, BestHeldOut, cutCurve } from '../../web/views/overfit.js';
import { microsecondsPerCall, formatMicroseconds, formatMeasuredMs, nextTask } from '../../web/timing.js';
import {
  drawGrey, argmax, galleryTile, drawFirstLayer, formatFlops, formatSeconds,
} from './views.js';
import { messageLine } from '../shared/messages.js';
import { showThreads, helperStopped, oneThreadFrom, RESTARTING_ON_ONE_THREAD } from '../shared/threads.js';
import { withCommas } from '../shared/numbers.js';
import { showLater } from '../shared/later.js';
import { fetchMnistSplit, fetchFile } from './downloads.js';

const $ = (id) => document.getElementById(id);
const GENERATED = new URL('../data/generated/', import.meta.url);
const mnistFile = (split) => new URL(`mnist-${split}.bin.gz`, GENERATED).href; // absolute: the worker's base differs
const DEFAULT_LR = { adam: 0.001, adamw: 0.001, momentum: 0.05, sgd: 0.1 };
const FILTER_SLICE_MS = 8;
// Snapshots of the training weights a second: the pad's answer and the first layer's pictures follow them, and
// each one is a copy of every weight (400 KB for the MLP) for the page to collect.
const SNAPSHOT_HZ = 2;
const PRETRAIN_DIGITS = 8000; // the training digits tools/pretrain.mjs trains on

const state = {
  data: null,          // {train, test}: parsed MNIST splits (x Float32Array (n, 784), y Int32Array (n))
  dataLoading: null,   // the promise of data
  trainer: null,
  trainerKey: '',      // the spec (without lr) the trainer was made for; a different one needs a new trainer
  trainedFrom: '',     // the label of the model the trainer's run continues from ('' for random weights)
  diverged: false,     // the current run went wrong (snapshots after that are not good steps)
  targetEpochs: 0,     // epochs asked for so far in this trainer's run
  own: null,           // a page-side Model: pretrained or loaded from a file
  ownLabel: '',
  ownRecipe: null,     // 'mlp' or 'cnn' when the page-side model is a pretrained one (PRETRAIN's recipe)
  source: 'own',       // 'own' or 'training': who answers the pad
  lastInput: null,     // the last preprocessed drawing, Float32Array (784)
  inferUs: NaN,        // µs per prediction of the active model, averaged over many calls
  measured: null,      // the model inferUs was measured on (a different active model is measured again)
  runFrom: 0,          // the step the trainer's current run started from (a diverged run with no later snapshot
                       // taught nothing)
  goodStep: -1,        // the step of the trainer's last snapshot before a divergence
  goodAccuracy: NaN,   // the trainer's last held-out accuracy measured at a finite loss
  ownAccuracy: NaN,    // the page-side model's held-out accuracy (from the gallery pass)
  lastMetricsStep: -1,
  galleryToken: 0,     // bumped to cancel a gallery pass in progress
  galleryTiles: [],    // tiles of earlier galleries, to fill again
  filtersAt: 0,        // when the first-layer view was last drawn (ms), to limit it during training
  filtersToken: 0,     // the first-layer drawing in progress (it takes a few tasks); a newer one stops it
  loss: new Series(2000),
  testLoss: new Series(500),
  testAcc: new Series(500),
  trainAcc: new Series(500),
  lowest: new BestHeldOut(), // the trainer's snapshot with the lowest held-out loss (web/views/overfit.js)
  rewound: null,       // the step "Stop at the best held-out step" went back to, until the next Train
  costs: null,         // the cost panel (web/views/costs.js)
  costsModule: null,   // that module (loaded after the page's first tasks)
  int8: null,          // the int8 lever in it (int8-lever.js)
};

// ---- messages -----------------------------------------------------------------------------------------------

const showMessage = messageLine($('message'));

// ---- model settings -----------------------------------------------------------------------------------------

function layersText(layers) {
  return `[\n  ${layers.map((l) => JSON.stringify(l)).join(',\n  ')}\n]`;
}

function positiveInt(id, name) {
  const v = Number($(id).value);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name}: expected a positive whole number, got ${$(id).value}`);
  return v;
}

// Batch size as the field allows it (1 to 1024); the message says what to type, not the worker's limits.
function batchSizeOf(text) {
  const b = Number(text), max = Number($('batch').max);
  if (!Number.isInteger(b) || b < 1 || b > max) throw new Error(`Batch size: a whole number from 1 to ${max}, got "${text}"`);
  return b;
}

/** The spec the form describes; throws an Error naming the bad field. */
function specFromForm() {
  let layers;
  try {
    layers = JSON.parse($('layers').value);
  } catch (e) {
    throw new Error(`layers: not valid JSON (${e.message})`);
  }
  if (!Array.isArray(layers)) throw new Error('layers: expected a JSON array of layers');
  // Image input for conv/pool layers (and a leading flatten, as in a file saved from an augmented MLP).
  const image = layers.some((l) => l && /^(conv2d|maxpool2d|avgpool2d)$/.test(l.type)) || layers[0]?.type === 'flatten';
  const lr = Number($('lr').value);
  if (!(lr > 0)) throw new Error(`Learning rate: expected a positive number, got ${$('lr').value}`);
  const opt = $('optimizer').value;
  const seed = Number($('seed').value);
  const spec = {
    input: image ? [1, 28, 28] : [784],
    layers,
    loss: 'cross_entropy',
    optimizer: opt === 'momentum' ? { type: 'sgd', lr, momentum: 0.9 } : { type: opt, lr },
    seed: Number.isInteger(seed) && seed >= 0 ? seed : 1,
  };
  // Augmentation happens in the core, per training batch, from the spec's seed (see models.js's withAugment).
  return $('augment').checked ? withAugment(spec) : spec;
}

// A CNN has convolutions; an image input alone does not make one (an augmented MLP takes [1, 28, 28] too).
const isConvolutional = (spec) => spec.layers.some((l) => l.type === 'conv2d');

// Everything but the learning rate (which changes live), augmentation included: a different key means a new model.
function trainerKey(spec) {
  return JSON.stringify({ ...spec, optimizer: { ...spec.optimizer, lr: 0 } });
}

function onKindChange() {
  setValue('layers', layersText(MODELS[$('model-kind').value].layers));
}

// ---- data -----------------------------------------------------------------------------------------------------

function ensureData() {
  state.dataLoading ??= (async () => {
    const bytes = { train: [0, 0], test: [0, 0] };
    const report = () => {
      const loaded = bytes.train[0] + bytes.test[0], total = bytes.train[1] + bytes.test[1];
      if (total) $('data-progress').value = loaded / total;
      $('data-text').textContent = `loading ${(loaded / 1e6).toFixed(1)}${total ? ` of ${(total / 1e6).toFixed(1)}` : ''} MB`;
    };
    // The page needs the held-out digits as floats (the gallery) and of the training set only its size: the training
    // worker reads the training digits itself (from the HTTP cache this download fills). Both are fetched and parsed
    // in a worker of their own (downloads.js).
    const load = (split) => fetchMnistSplit(mnistFile(split), { onProgress: (l, t) => { bytes[split] = [l, t]; report(); },
      floats: split === 'test' });
    const [train, test] = await Promise.all([load('train'), load('test')]);
    state.data = { train, test };
    $('data-progress').value = 1;
    $('data-text').textContent = `${withCommas(train.n)} training + ${withCommas(test.n)} held-out digits`;
    $('train').disabled = false;
    return state.data;
  })();
  state.dataLoading.catch((e) => {
    state.dataLoading = null;
    $('data-text').textContent = 'failed';
    showMessage(`The handwritten digits could not be loaded (${e.message}); reload the page to try again.`);
  });
  return state.dataLoading;
}

// ---- the active model -----------------------------------------------------------------------------------------

function activeModel() {
  if (state.source === 'training' && state.trainer?.predictor) return state.trainer.predictor;
  return state.own;
}

// The model that answers the pad: the active one, or its int8 copy while the lever is on.
function servingModel() {
  const m = activeModel();
  return m && state.int8 ? state.int8.serving(m) : m;
}

function activeLabel() {
  if (state.source === 'training' && state.trainer) {
    const p = state.trainer.progress;
    return `your ${isConvolutional(state.trainer.spec) ? 'CNN' : 'network'} in training` +
      (state.trainedFrom ? `, continued from ${state.trainedFrom}` : '') +
      (state.rewound !== null ? ` (back at step ${state.rewound}, the lowest held-out loss)` : p ? ` (step ${p.step})` : '');
  }
  return state.ownLabel;
}

// Time of one single-digit prediction: the timer is coarse (0.1 ms), so calls are timed in rounds of >= 2 ms and
// the fastest round's mean is kept (web/timing.js).
function measureInference(m) {
  const x = state.lastInput || new Float32Array(784);
  return microsecondsPerCall(() => m.probabilities(x), { rounds: 5, roundMs: 2, maxCallsPerRound: 1000 });
}

// inferUs belongs to the model that answers the pad: whenever that changes (another trainer, a file, the
// pretrained model), it is measured again.
function ensureMeasured() {
  const m = servingModel();
  if (!m || state.measured === m) return;
  state.measured = m;
  state.inferUs = measureInference(m);
  $('infer-time').dataset.flops = String(m.flops.forward); // which model the time is for (tests compare)
}

function modelChanged({ gallery = true } = {}) {
  state.int8?.update();
  const m = activeModel();
  $('predictor-name').textContent = m ? `Predicting with: ${activeLabel()}.` : 'No model yet.';
  if (!m) return;
  state.measured = null;
  predictDrawing();
  // The rest a task each, so no single task of the page grows long on a phone: the model's timing (its first calls
  // into wasm are the slowest), the phases' numbers and the cost panel, the first layer, the gallery.
  (async () => {
    for (const part of [ensureMeasured, updatePhases, () => drawFilters(true), gallery && refreshGallery]) {
      await nextTask();
      if (activeModel() !== m) return; // another model came meanwhile: its own modelChanged does the rest
      if (part) part();
    }
  })();
}

// A page-side model (pretrained or from a file) becomes the one that answers the pad.
function setOwnModel(m, label, recipe = null) {
  if (m.inputSize !== 784 || m.outputSize !== 10) {
    const got = `${m.inputSize} inputs and ${m.outputSize} outputs`;
    m.dispose();
    throw new Error(`this model has ${got}; a digits model needs 784 inputs (28x28) and 10 outputs`);
  }
  state.galleryToken++; // a gallery pass over the old model stops before touching it
  if (state.own) state.own.dispose();
  state.own = m;
  state.ownLabel = label;
  state.ownRecipe = recipe;
  state.ownAccuracy = NaN;
  state.source = 'own';
  showModelInForm(m.spec);
  modelChanged();
}

// The form describes the model that answers the pad: its layers and the Network menu's kind, so pressing Train
// continues from this very model.
function showModelInForm(spec) {
  setValue('layers', layersText(spec.layers));
  setValue('model-kind', isConvolutional(spec) ? 'cnn' : 'mlp');
  if ($('augment').checked !== !!spec.augment) $('augment').checked = !!spec.augment;
}

// Sets a field's value only when it changes: the browser's form autofill looks at the fields again after a script
// sets one, and lays the page out to do so.
function setValue(id, value) {
  if ($(id).value !== value) $(id).value = value;
}

async function usePretrained() {
  showMessage('');
  const kind = $('model-kind').value;
  const url = new URL(PRETRAIN[kind].file, GENERATED);
  $('predictor-name').textContent = `Loading the pretrained ${kind.toUpperCase()}…`;
  const { status, bytes } = await fetchFile(url); // in a worker: 400 KB arriving here is a long task on a phone
  if (!bytes) throw new Error(`the pretrained ${kind.toUpperCase()} is missing (${url.pathname}: HTTP ${status}); run \`make data\``);
  const m = await Model.load(bytes);
  await nextTask(); // its first calls into wasm, then the pad's answer and the rest (modelChanged) in tasks after
  setOwnModel(m, `the pretrained ${kind.toUpperCase()} (trained when this site was built)`, kind);
}

// ---- the pad ----------------------------------------------------------------------------------------------------

let pad, setBars;

function onPadChange(reason) {
  if (reason === 'clear') {
    state.lastInput = null;
    drawGrey($('preview'), new Float32Array(784));
    $('prediction').textContent = '?';
    $('prediction').dataset.digit = '';
    setBars(null);
    $('latency').textContent = 'Draw something.';
    return;
  }
  const t0 = performance.now();
  const { data, width, height } = pad.pixels();
  const p = preprocessRGBA(data, width, height);
  const prepMs = performance.now() - t0;
  if (!p) return;
  state.lastInput = p.x;
  drawGrey($('preview'), p.x);
  predictDrawing(prepMs);
}

function predictDrawing(prepMs) {
  const m = servingModel();
  if (!m || !state.lastInput) return;
  const probs = m.probabilities(state.lastInput);
  const best = argmax(probs);
  const out = $('prediction');
  out.textContent = String(best);
  out.dataset.digit = String(best);
  out.dataset.strokes = String(pad.strokes); // which drawing this answers (tests wait for it)
  const int8 = m !== activeModel();
  out.dataset.weights = int8 ? 'int8' : 'float32';
  setBars(probs);
  ensureMeasured();
  const prep = prepMs === undefined ? '' : `; reading the pad and preprocessing: ${formatMeasuredMs(prepMs)}`;
  // One call is below what the page's clock can time: the model's best-of-rounds time stands for each answer.
  $('latency').textContent = `One prediction${int8 ? ' with int8 weights' : ''}: ` +
    `${formatMicroseconds(state.inferUs)} (the fastest of 5 rounds of ` +
    `repeated calls)${prep}.`;
}

// ---- gallery and first layer ------------------------------------------------------------------------------------

// Predicts the held-out digits in small batches (yielding between them, so the page stays responsive) and shows
// the ones the model gets wrong, most confident mistakes first.
const GALLERY_SLICE_MS = 8;
async function refreshGallery() {
  const token = ++state.galleryToken;
  const m = activeModel();
  const status = $('gallery-status');
  if (!m) return;
  if (!state.data) {
    status.textContent = 'Waiting for the data…';
    try { await ensureData(); } catch { return; }
    if (token !== state.galleryToken) return;
  }
  const test = state.data.test;
  const mistakes = [];
  status.textContent = 'Checking the held-out digits…';
  // Slices sized from the last one's time to about GALLERY_SLICE_MS, so a slow phone gets smaller slices.
  for (let i = 0, chunk = 4, k; i < test.n; i += k) { // a small first slice: the first calls are the slowest
    if (token !== state.galleryToken) return; // superseded (or the model was replaced)
    k = Math.min(chunk, test.n - i);
    const t0 = performance.now();
    const probs = m.probabilities(test.x.subarray(i * 784, (i + k) * 784));
    for (let j = 0; j < k; j++) {
      const best = argmax(probs, j * 10, 10);
      if (best !== test.y[i + j]) mistakes.push({ index: i + j, label: test.y[i + j], predicted: best, confidence: probs[j * 10 + best] });
    }
    const ms = performance.now() - t0;
    chunk = Math.max(1, Math.min(500, Math.round((k * GALLERY_SLICE_MS) / Math.max(ms, 0.1))));
    await nextTask();
  }
  if (token !== state.galleryToken) return;
  mistakes.sort((a, b) => b.confidence - a.confidence);
  // tiles for about GALLERY_SLICE_MS a task: 60 canvases at once are a long task on a phone
  const gallery = $('gallery'), shown = mistakes.slice(0, 60);
  for (const tile of gallery.children) state.galleryTiles.push(tile); // filled again rather than made anew
  gallery.replaceChildren();
  for (let i = 0; i < shown.length;) {
    const t0 = performance.now(), tiles = [];
    do tiles.push(galleryTile(shown[i++], test.x, state.galleryTiles.pop()));
    while (i < shown.length && performance.now() - t0 < GALLERY_SLICE_MS);
    gallery.append(...tiles);
    await nextTask();
    if (token !== state.galleryToken) return;
  }
  const acc = 1 - mistakes.length / test.n;
  status.textContent = `${mistakes.length} of ${test.n} held-out digits wrong (${(acc * 100).toFixed(2)}% right)` +
    `${mistakes.length > 60 ? '; the 60 most confident mistakes' : ''}. Label → prediction.`;
  status.dataset.accuracy = String(acc);
  if (state.source === 'own' && m === state.own) state.ownAccuracy = acc;
  if (state.source === 'own') $('predictor-name').textContent = `Predicting with: ${state.ownLabel}, ${(acc * 100).toFixed(2)}% right on the held-out digits.`;
}

async function drawFilters(force) {
  const m = activeModel();
  if (!m) return;
  const now = performance.now();
  if (!force && now - state.filtersAt < 1000) return; // during training: once a second is plenty
  state.filtersAt = now;
  // while training, the trainer's last snapshot holds the predictor's weights: no copy out of wasm memory
  const snapshot = m === state.trainer?.predictor && state.trainer.lastSnapshot;
  const token = ++state.filtersToken, weights = snapshot ? snapshot.weights : m.getWeights();
  // tiles for about FILTER_SLICE_MS a task: making and painting 64 canvases at once is a long task on a phone
  for (let from = 0; ;) {
    await nextTask();
    if (token !== state.filtersToken || activeModel() !== m) return; // a newer drawing, or another model
    const t0 = performance.now();
    let lay;
    do {
      lay = drawFirstLayer($('filters'), m.spec, weights, { max: 64, from, to: from + 1 });
      from++;
    } while (lay && from < lay.shown && performance.now() - t0 < FILTER_SLICE_MS);
    if (!lay) return;
    if (from >= lay.shown) {
      $('filters-status').textContent = lay.kind === 'conv'
        ? `The ${lay.count} filters (${lay.w}x${lay.h}) of the first convolution. Red: positive weight, blue: negative.`
        : `What ${lay.shown} of the ${lay.count} hidden units look for: each one's 784 input weights as a 28x28 image. Red: positive, blue: negative.`;
      return;
    }
  }
}

// ---- training ---------------------------------------------------------------------------------------------------

function drawLossChart(colors = pageColors()) { // colors: the page's light or dark scheme
  drawLineChart($('loss-chart'), [
    { series: state.loss, color: classColor(1), label: 'training loss' },
    { series: state.testLoss, color: classColor(0), label: 'held-out loss' },
  ], { logY: true, colors });
  $('loss-chart').dataset.points = String(state.loss.count);
}

function drawAccuracyChart(colors = pageColors()) {
  drawLineChart($('acc-chart'), [
    { series: state.testAcc, color: classColor(0), label: 'held-out' },
    { series: state.trainAcc, color: classColor(2), label: 'train' },
  ], { logY: false, colors });
  $('acc-chart').dataset.points = String(state.testAcc.count);
}

function drawCharts() {
  const colors = pageColors();
  drawLossChart(colors);
  drawAccuracyChart(colors);
}

function clearCharts() {
  state.loss.clear(); state.testLoss.clear(); state.testAcc.clear(); state.trainAcc.clear();
  state.lastMetricsStep = -1;
  state.lowest.clear();
  state.rewound = null;
  showOverfitting(null);
  drawCharts();
}

function pct(v) {
  return Number.isFinite(v) ? `${(v * 100).toFixed(2)}%` : '–';
}

function onProgress(d) {
  // a held-out accuracy of weights this trainer has learned (step 0 is where it started), at a finite loss
  if (!state.diverged && d.metricsStep > 0 && Number.isFinite(d.loss) && Number.isFinite(d.testAccuracy)) {
    state.goodAccuracy = d.testAccuracy;
  }
  const { steps, losses } = d.points;
  for (let i = 0; i < steps.length; i++) state.loss.push(steps[i], losses[i]);
  if (steps.length) dirty.loss = true;
  if (d.metricsStep !== state.lastMetricsStep && d.metricsStep >= 0) {
    state.lastMetricsStep = d.metricsStep;
    dirty.loss = dirty.accuracy = true; // the held-out loss is on the loss chart
    state.testLoss.push(d.metricsStep, d.testLoss);
    state.testAcc.push(d.metricsStep, d.testAccuracy);
    state.trainAcc.push(d.metricsStep, d.accuracy);
  }
  keepLowest();
  showOverfitting(state.rewound === null && !state.diverged ? overfitting(state.loss, state.testLoss) : null);
  latestProgress = d;
  redrawSoon();
}

// The trainer's snapshot with the lowest held-out loss, kept (asked for when a held-out measurement and a snapshot
// did not meet), for "Stop at the best held-out step".
function keepLowest() {
  const t = state.trainer;
  if (!t || state.diverged || state.rewound !== null) return;
  state.lowest.consider(t);
  if (state.lowest.wants(t)) t.snapshot().catch(() => {}); // a worker's death is reported by its error event
}

// The hint under the charts when the held-out loss climbs while the training loss falls, with the way back.
function showOverfitting(o) {
  const text = o ? `${overfittingText(o, { points: 'digits' })}: Augment (shifted, turned digits) or fewer epochs help.` : '';
  if ($('overfit').textContent !== text) $('overfit').textContent = text;
  setHidden('overfit-box', !o);
  const best = state.lowest.best, button = $('stop-best');
  setHidden('stop-best', !o || !best);
  if (o && best && button.textContent !== stopAtBestLabel(best)) button.textContent = stopAtBestLabel(best);
}

// Pauses and goes back to the kept weights at their step: the pad, the gallery, the first layer, the numbers and
// the curves follow; Train continues from there.
async function stopAtBest() {
  const t = state.trainer, best = state.lowest.best;
  if (!t || !best) return;
  $('stop-best').disabled = true;
  try {
    await t.pause();
    await t.setWeights(best.weights, { step: best.step });
  } finally {
    $('stop-best').disabled = false;
  }
  if (t !== state.trainer) return;
  for (const curve of [state.loss, state.testLoss, state.testAcc, state.trainAcc]) cutCurve(curve, best.step);
  state.lastMetricsStep = best.step;
  state.rewound = best.step;
  state.targetEpochs = 0; // the next Train's epochs count from here
  showOverfitting(null);
  latestProgress = null; // the later step's numbers, not shown yet, are not shown at all
  showNumbers(best.progress);
  $('epoch-text').textContent = '–';
  $('epoch-progress').value = 0;
  drawCharts();
  setRunning(false);
  modelChanged(); // the pad, its timing, the first layer and the gallery, with the weights of that step
}

// Writes an element's text only when it changed: new text is laid out and painted anew, even when it says the same.
function setText(id, text) {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}

// Sets `hidden` only when it changes: setting it, even to the same value, has the page restyled (each progress).
function setHidden(id, hidden) {
  const el = $(id);
  if (el.hidden !== hidden) el.hidden = hidden;
}

// The numbers of the last progress (text to lay out anew: ~10 times a second, in a frame of their own).
let latestProgress = null, numbersAt = -Infinity;
function showNumbers(d) {
  const nTrain = state.trainer?.info?.nTrain || 8000;
  const epochs = d.samplesSeen / nTrain;
  $('epoch-text').textContent = `${Math.min(epochs, state.targetEpochs).toFixed(2)} of ${state.targetEpochs}`;
  $('epoch-progress').value = state.targetEpochs ? Math.min(1, epochs / state.targetEpochs) : 0;
  $('stat-step').textContent = String(d.step);
  $('stat-loss').textContent = Number.isFinite(d.loss) ? d.loss.toFixed(4) : '–';
  $('test-accuracy').textContent = pct(d.testAccuracy);
  $('test-accuracy').dataset.value = Number.isFinite(d.testAccuracy) ? String(d.testAccuracy) : '';
  $('train-accuracy').textContent = pct(d.accuracy);
  $('stat-rate').textContent = d.samplesPerSec > 0 ? withCommas(d.samplesPerSec) : '–';
  showThreads($('stat-threads'), d.threads);
}

// Progress comes up to 30 times a second: the loss chart (at most 5 times a second), the accuracy chart (when a
// held-out measurement came), the numbers (10 times a second; the pad's label with its step once a second) and the
// phases' numbers and cost panel (once a second: they are below the first screen) follow in animation frames of
// their own, so each fits a phone's frame.
// The cost panel redraws in an animation callback of its own in the frame after updatePhases, before this one: no
// chart draws in that frame, as reading a canvas's size after the panel's words changed would lay the page out
// in the middle of the frame and again at its end.
// While they are off screen, the phases' numbers and the cost panel wait: they are brought up to date when they
// come into view, and when a run stops.
const dirty = { loss: false, accuracy: false, phases: false };
const PHASES_MS = 1000;
let redrawFrame = 0, redrawnAt = -Infinity, phasesAt = -Infinity, labelAt = -Infinity, costsRedrawing = false;
const phasesInView = new Set();
const phasesDue = () => dirty.phases && phasesInView.size > 0;
const phasesView = new IntersectionObserver((entries) => {
  for (const e of entries) phasesInView[e.isIntersecting ? 'add' : 'delete'](e.target);
  if (phasesDue()) redrawFrame ||= requestAnimationFrame(redrawFrameTask);
});
for (const id of ['phases-section', 'costs-section']) phasesView.observe($(id));
// The pad's model while it trains: its step, once a second.
function showTrainingLabel() {
  if (state.source === 'training') setText('predictor-name', `Predicting with: ${activeLabel()}.`);
}
function redrawSoon() {
  dirty.phases = true;
  redrawFrame ||= requestAnimationFrame(redrawFrameTask);
}
function redrawFrameTask(now) {
  redrawFrame = 0;
  const charts = !costsRedrawing;
  costsRedrawing = false;
  if (charts && dirty.loss && now - redrawnAt >= 200) {
    redrawnAt = now;
    dirty.loss = false;
    drawLossChart();
  } else if (charts && dirty.accuracy) {
    dirty.accuracy = false;
    drawAccuracyChart();
  } else if (latestProgress && now - numbersAt >= 100) {
    numbersAt = now;
    showNumbers(latestProgress);
    latestProgress = null;
    if (now - labelAt >= PHASES_MS) {
      labelAt = now;
      showTrainingLabel();
    }
  } else if (phasesDue() && now - phasesAt >= PHASES_MS) {
    phasesAt = now;
    dirty.phases = false;
    updatePhases();
    costsRedrawing = true;
  }
  if (dirty.loss || dirty.accuracy || phasesDue() || latestProgress) redrawFrame = requestAnimationFrame(redrawFrameTask);
}

// The cost panel follows the model that answers the pad and what trained it: this tab's run, or for the pretrained
// model the build's recipe (its steps, samples and FLOPs are known; its time was not measured here).
function updateCosts() {
  const m = activeModel(), panel = state.costs;
  if (!panel || !m) return;
  panel.setModel(m, { label: activeLabel(), input: () => state.lastInput ?? state.data?.test.x.slice(0, 784) });
  const p = state.trainer?.progress;
  if (state.source === 'training' && p) {
    const training = state.costsModule.trainingFromProgress(p);
    if (state.trainedFrom) training.how += ` The run continued from ${state.trainedFrom}, whose earlier training is not counted.`;
    panel.setTraining(training);
  } else if (state.ownRecipe) {
    const kind = state.ownRecipe, recipe = PRETRAIN[kind];
    const samples = recipe.epochs * PRETRAIN_DIGITS, steps = recipe.epochs * Math.ceil(PRETRAIN_DIGITS / recipe.batchSize);
    panel.setTraining({
      steps, samples, flops: samples * m.flops.train, wallMs: NaN, cpuMs: NaN,
      how: `The pretrained ${kind.toUpperCase()} was trained when this site was built (tools/pretrain.mjs: ` +
        `${recipe.epochs} epochs over the ${withCommas(PRETRAIN_DIGITS)} training digits, batch ` +
        `${recipe.batchSize}): its steps, samples and FLOPs are counted from that recipe; its time was not measured in this tab.`,
    });
  } else {
    panel.setTraining({ how: 'Weights from a file: how they were trained is not known here. Train to count a run.' });
  }
}

// Optimizer steps that trained `m`: this tab's run, or the pretrained model's recipe; NaN for a file's weights.
function stepsOf(m) {
  if (m === state.trainer?.predictor) return state.trainer.progress?.step ?? NaN;
  if (m === state.own && state.ownRecipe) {
    const recipe = PRETRAIN[state.ownRecipe];
    return recipe.epochs * Math.ceil(PRETRAIN_DIGITS / recipe.batchSize);
  }
  return NaN;
}

function updatePhases() {
  updateCosts();
  const t = state.trainer, p = t?.progress, m = activeModel();
  if (p && t.info) {
    setText('train-flops', formatFlops(p.flopsDone));
    setText('train-time', formatSeconds(p.wallMs));
    setText('train-samples', withCommas(p.samplesSeen));
    setText('train-flops-sample', formatFlops(t.info.flops.train));
  }
  if (m) {
    ensureMeasured();
    const f = m.flops.forward, us = formatMicroseconds(state.inferUs);
    setText('infer-flops', formatFlops(f));
    setText('infer-time', us);
    if (p && p.flopsDone > 0 && state.source === 'training') {
      setText('phases-summary', `Training so far took ${formatSeconds(p.wallMs)} and ${formatFlops(p.flopsDone)}; ` +
        `one prediction takes ${us} and ${formatFlops(f)}: the training cost as much compute as ` +
        `${withCommas(p.flopsDone / f)} predictions.`);
    } else {
      setText('phases-summary', `One prediction: ${formatFlops(f)} in about ${us}. ` +
        'Train a model to compare with what learning costs.');
    }
  }
}

function setRunning(running) {
  state.int8?.update();
  $('train').disabled = !state.data || running;
  $('pause').disabled = !running;
  $('reset').disabled = !state.trainer;
}

// The worker fetches MNIST itself ({dataset: 'mnist'}, web/runtime/session.js): handing it the page's 10,000 digits
// (31 MB of floats) would be one structured clone of 60-230 ms on this thread.
function newTrainer(spec, batchSize, nTrain, key) {
  if (state.trainer) state.trainer.dispose();
  clearCharts();
  // A new model has no numbers yet: the old model's must not stand in for them.
  for (const id of ['stat-loss', 'test-accuracy', 'train-accuracy', 'stat-rate', 'epoch-text']) $(id).textContent = '–';
  $('stat-step').textContent = '0';
  $('test-accuracy').dataset.value = '';
  $('epoch-progress').value = 0;
  state.targetEpochs = 0;
  const stepsPerEpoch = Math.ceil(nTrain / batchSize);
  const image = isConvolutional(spec);
  const t = new Trainer(spec, { dataset: 'mnist', train: mnistFile('train'), test: mnistFile('test') }, {
    batchSize,
    logEvery: 10,
    // A full held-out pass is costly (2,000 digits; ~3 GFLOP for the CNN): a few per epoch, train accuracy on 1,000.
    evalEvery: Math.max(5, Math.round(stepsPerEpoch / (image ? 2 : 4))),
    evalTrainMax: 1000,
    pace: PACE[$('speed').value],
    snapshotHz: SNAPSHOT_HZ,
  });
  t.addEventListener('progress', (e) => onProgress(e.detail));
  t.addEventListener('snapshot', (e) => {
    if (t === state.trainer && !state.diverged) state.goodStep = Math.max(state.goodStep, e.detail.step);
    if (t === state.trainer) keepLowest();
    if (state.source !== 'training') return;
    predictDrawing();
    drawFilters(false);
  });
  t.addEventListener('stopped', (e) => {
    if (t === state.trainer && latestProgress) { // the run's last numbers show when Train comes back, not a frame later
      showNumbers(latestProgress);
      latestProgress = null;
    }
    setRunning(false);
    if (t === state.trainer) setTimeout(() => { updatePhases(); showTrainingLabel(); }, 0); // the run's totals
    if (e.detail.reason === 'finished' || e.detail.reason === 'paused') {
      if (state.source === 'training') { drawFilters(true); refreshGallery(); }
    }
  });
  t.addEventListener('error', (e) => {
    const d = e.detail;
    if (t !== state.trainer) return;
    if (d.kind === 'diverged') return onDiverged(d);
    if (!d.fatal) return showMessage(d.message);
    state.goOnAfterRestart = helperStopped(d) && !$('pause').disabled; // it was training: it goes on
    setRunning(false);
    if (helperStopped(d)) showMessage(RESTARTING_ON_ONE_THREAD, false);
    else if (d.restarting) showMessage(`The training worker failed (${d.message}); it restarts from the last snapshot, paused, and the pad keeps answering.`);
    else if (t.failed) showMessage(`Training stopped: ${d.message}. The pad keeps answering with the last good weights; Train starts a new model.`);
    else showMessage(d.message);
  });
  t.addEventListener('restarted', (e) => {
    if (t !== state.trainer) return;
    setRunning(false);
    if (!state.goOnAfterRestart) return;
    state.goOnAfterRestart = false;
    guard(async () => { // Train clears the message first
      await train();
      showMessage(oneThreadFrom(e.detail.step), false);
    })();
  });
  state.trainer = t;
  state.trainerKey = key;
  state.lowest.clear();
  state.goodStep = -1;
  state.goodAccuracy = NaN;
  return t;
}

// A diverged run keeps the last good model on the pad: the trainer's last snapshot when the run got that far,
// otherwise (it went wrong before its first snapshot) the model that answered before Train was pressed, never
// the trainer's random starting weights.
function onDiverged(detail) {
  state.diverged = true;
  // the better of the two by held-out accuracy (unknown counts as worse)
  const keepOwn = state.own && (state.goodStep <= state.runFrom || !(state.goodAccuracy >= state.ownAccuracy));
  showMessage(`Training went wrong (${detail.message}). ` + (keepOwn
    ? `The pad keeps answering with ${state.ownLabel}.` : 'The pad keeps answering with the last good weights.'));
  if (keepOwn && state.source === 'training') {
    state.source = 'own';
    modelChanged();
  }
}

// The weights of the model that answers the pad, when the form describes that model (Train continues from it).
function ownWeightsFor(spec) {
  const own = state.own;
  if (state.source !== 'own' || !own) return null;
  const same = JSON.stringify(own.spec.input) === JSON.stringify(spec.input) &&
    JSON.stringify(own.spec.layers) === JSON.stringify(spec.layers);
  return same ? own.getWeights() : null;
}

async function train() {
  showMessage('');
  state.galleryToken++; // the weights are about to change (or the old trainer's predictor to go away)
  const data = await ensureData();
  const spec = specFromForm();
  const batchSize = batchSizeOf($('batch').value);
  const epochs = positiveInt('epochs', 'Epochs');
  const key = trainerKey(spec);
  const startWeights = ownWeightsFor(spec);
  let t = state.trainer;
  // failed: its worker is not restarted any more
  if (!t || state.trainerKey !== key || t.failed || startWeights) {
    await Model.create(spec).then((m) => m.dispose()); // a bad edited spec fails here, with the core's message
    t = newTrainer(spec, batchSize, data.train.n, key);
    state.trainedFrom = startWeights ? state.ownLabel : '';
  } else {
    await t.set({ lr: spec.optimizer.lr, batchSize, pace: PACE[$('speed').value] });
  }
  setRunning(true);
  const info = await t.ready;
  if (t !== state.trainer) return;
  // the worker (and the predictor) start from the weights that answered the pad
  if (startWeights) await t.setWeights(startWeights, { step: 0 });
  if (t !== state.trainer) return;
  state.diverged = false;
  state.runFrom = t.progress?.step ?? 0;
  if (state.source !== 'training') {
    state.source = 'training';
    modelChanged({ gallery: false });
  }
  // A run goes to targetEpochs; pressing Train after it finished asks for `epochs` more. After going back to the
  // best held-out step the worker's counters start again there (its last progress is of a later step).
  const p = state.rewound === null ? t.progress : null, from = state.rewound ?? p?.step ?? 0;
  state.rewound = null;
  const done = p ? p.samplesSeen / info.nTrain : 0;
  if (done >= state.targetEpochs - 1e-9) state.targetEpochs = Math.floor(done + 1e-9) + epochs;
  const left = Math.max(1, Math.ceil(((state.targetEpochs - done) * info.nTrain) / batchSize));
  await t.start({ maxSteps: from + left });
}

// ---- weights files ----------------------------------------------------------------------------------------------

function downloadWeights() {
  const m = activeModel();
  if (!m) throw new Error('no model to save yet');
  downloadBytes(m.save(), `digits-${isConvolutional(m.spec) ? 'cnn' : 'mlp'}.safetensors`);
}

// A tinytrain file carries its spec; a plain safetensors file (e.g. from PyTorch) is tried against the form's spec.
async function loadWeightsFile(file) {
  showMessage('');
  const m = await readModelFile(file, specFromForm);
  setOwnModel(m, `weights from ${file.name}`);
}

// ---- start ------------------------------------------------------------------------------------------------------

function guard(fn) {
  return (...args) => Promise.resolve().then(() => fn(...args)).catch((e) => {
    if (e.name !== 'WorkerStoppedError') showMessage(e.message); // a death cut it short: the error event said so
    setRunning(state.trainer?.running ?? false);
  });
}

// Start-up in a few tasks, so a phone's main thread gets no long one: after the task that ran the page's modules
// (the form's layers, the full build's download), the terms' explanations, the bars, the pad and the controls, the
// pad's preview, the charts (when their section is shown), then the cost panel and its int8 lever (below the first
// screen, their modules loaded only now), and last the pretrained MLP and the data.
async function init() {
  // The page's own models are capped like the worker's: a hostile weight file is refused with the size it asks for.
  Model.setMemoryLimit(DEFAULT_MEMORY_LIMIT);
  // The form's layers before the page has been parsed, while the form is not shown: the browser's form autofill
  // then reads the fields with nothing to lay out.
  onKindChange();
  // The full build (int8 kernels, for the lever) before any model; without it the page works on, lever aside.
  const wasmLoaded = loadTinytrain({ url: INT8_WASM_URL }).catch(() => {});
  await nextTask();
  explainTerms();
  await nextTask();
  setBars = probabilityBars($('probs'));
  setBars(null);
  await nextTask();
  pad = new DrawPad($('pad'), { penWidth: Number($('pen').value) }); // its preview is drawn a task later
  $('pad').setAttribute('aria-label', `${$('pad').getAttribute('aria-label')}, ${KEYBOARD_HELP}`);
  $('pen').addEventListener('input', () => { pad.penWidth = Number($('pen').value); });
  $('clear').addEventListener('click', () => pad.clear());
  $('model-kind').addEventListener('change', onKindChange);
  $('optimizer').addEventListener('change', () => { $('lr').value = String(DEFAULT_LR[$('optimizer').value]); });
  // Learning rate, batch size and speed change live while training.
  $('lr').addEventListener('change', guard(() => {
    const lr = Number($('lr').value);
    if (state.trainer && lr > 0) return state.trainer.set({ lr });
  }));
  $('batch').addEventListener('change', guard(() => {
    const batchSize = batchSizeOf($('batch').value);
    showMessage('');
    if (state.trainer) return state.trainer.set({ batchSize });
  }));
  $('speed').addEventListener('change', guard(() => state.trainer?.set({ pace: PACE[$('speed').value] })));
  $('train').addEventListener('click', guard(train));
  $('pause').addEventListener('click', guard(() => state.trainer?.pause()));
  $('stop-best').addEventListener('click', guard(stopAtBest));
  $('reset').addEventListener('click', guard(async () => {
    if (!state.trainer) return;
    await state.trainer.reset({ seed: Number($('seed').value) >>> 0 });
    clearCharts();
    state.targetEpochs = 0;
    setRunning(false);
  }));
  $('pretrained').addEventListener('click', guard(usePretrained));
  wireWeightsControls({
    downloadButton: $('download'), onDownload: guard(downloadWeights),
    input: $('load-file'), dropZone: $('drop-zone'), onFile: guard(loadWeightsFile),
    onError: (e) => showMessage(e.message),
  });
  // The Augment switch's explanation, from the numbers the spec gets.
  $('augment-label').title = `Each training batch is drawn afresh with every digit moved by up to ${AUGMENT.shift} ` +
    `pixels and turned by up to ${AUGMENT.rotate} degrees, inside the training worker, by the core's generator ` +
    'seeded with Seed: the same seed gives the same run. Held-out digits and your drawings are never changed.';
  await nextTask();
  pad.onChange = onPadChange;
  onPadChange('clear');
  await nextTask();
  // The charts are drawn at their size once their section is shown, and again whenever that size changes (in
  // frames of their own, as while training).
  const charts = new ResizeObserver(() => {
    dirty.loss = dirty.accuracy = true;
    redrawFrame ||= requestAnimationFrame(redrawFrameTask);
  });
  for (const id of ['loss-chart', 'acc-chart']) charts.observe($(id));
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', drawCharts); // charts on the page's surface
  // The cost panel and its int8 lever are below the first screen: their modules are loaded and run from here.
  const [costsModule, { Int8Lever }] = await Promise.all([import('../../web/views/costs.js'), import('./int8-lever.js')]);
  await nextTask();
  state.costsModule = costsModule;
  state.costs = new costsModule.CostPanel($('costs'), { label: 'What serving costs' });
  showLater(state.costs.element.querySelectorAll(':scope > *, .costs-grid > *')); // laid out a part a frame
  await nextTask();
  state.int8 = new Int8Lever(state.costs.element, {
    model: activeModel,
    busy: () => state.source === 'training' && !!state.trainer?.running,
    input: () => state.lastInput ?? state.data?.test.x.slice(0, 784) ?? new Float32Array(784),
    data: ensureData,
    panel: state.costs,
    changed: () => { state.measured = null; updatePhases(); predictDrawing(); }, // the pad's model is timed anew
    steps: stepsOf,
    trainSpec: () => ({ input: [784], layers: MODELS.mlp.layers, loss: 'cross_entropy',
      optimizer: { type: 'adam', lr: DEFAULT_LR.adam }, seed: 1 }),
    trainData: { dataset: 'mnist', train: mnistFile('train'), test: mnistFile('test') },
    trainOptions: { batchSize: 64, logEvery: 10, evalEvery: 1000000, evalTrainMax: 1000, snapshotHz: SNAPSHOT_HZ },
  });
  showLater(state.costs.element.querySelectorAll('.int8-lever'));
  // Then the pretrained MLP, so the pad answers; then the data, lazily, behind its progress bar.
  wasmLoaded.then(guard(usePretrained)).then(() => ensureData()).catch(() => {});
  document.body.dataset.ready = '1';
}

init();

// The text page: a small GPT trained in a worker (web/runtime/trainer.js) on a corpus, and a model on the page that
// answers every keystroke of the prefix box: the tokens it sees, its next-token probabilities, a streamed
// continuation, its attention, samples every second, and best-of-N draws. Model code lives in wasm/ and web/; the
// views are web/views/ modules; settings.js holds the URL-hash form and sampling.js the page's own draws.
//
// Which model answers: the last one chosen — a page-side model (state.own: the pretrained words model or a loaded
// file) or, once Train is pressed, the Trainer's predictor, which follows the worker's snapshots.
import { Model } from '../../wasm/tinytrain.js';
import { Trainer, DEFAULT_MEMORY_LIMIT } from '../../web/runtime/trainer.js';
import { Tokenizer } from '../../web/text/tokenizer.js';
import { CORPORA, OWN_CORPUS, OWN_TEXT_LIMIT } from '../../web/text/corpus.js';
import { GPT_SIZES, gptSpec, withVocabulary, WORDS_GPT_RECIPE } from '../../web/text/gpt.js';
import { fetchWords, WORDS_VOCABULARY } from '../../web/words.js';
import { Series, drawLineChart } from '../../web/views/chart.js';
import { classColor, pageColors, rgbOf } from '../../web/views/palette.js';
import { tokenChips, topTokenBars, topTokens, visibleToken } from '../../web/views/tokens.js';
import { drawAttention } from '../../web/views/heatmap.js';
import { downloadBytes, readModelFile, wireWeightsControls } from '../shared/weights-file.js';
import { formatMicroseconds, formatMeasuredMs } from '../../web/timing.js';
import { formatFlops, formatSeconds } from '../digits/views.js';
import { DEFAULTS, parseHash, toHash, tokenizerOptions } from './settings.js';
import { seededRandom, bestOfN, pickWords } from './sampling.js';
import { measureTokenServing } from './serving.js';
import { CostPanel, trainingFromProgress } from '../../web/views/costs.js';
import { messageLine } from '../shared/messages.js';
import { showThreads, helperStopped, oneThreadFrom, RESTARTING_ON_ONE_THREAD } from '../shared/threads.js';

const $ = (id) => document.getElementById(id);
const GENERATED = new URL('../data/generated/', import.meta.url);
const PRETRAINED_FILE = 'words-gpt.safetensors';
const NEXT_ROWS = 8;              // bars of the most likely next tokens
const SLICE_MS = 6;               // the longest piece of page-side generation between frames
const SAMPLE_EVERY_MS = 1000;     // the sample strip
const EARLY_STEP = 50;            // the "barely trained" snapshot is the first at or after this step
const BEST_TRIALS = { 1: 1000, 4: 150, 16: 50 }; // picks per N when measuring real words
const MAX_STEPS = 10000000;       // Train runs until paused
const LN2 = Math.log(2);
const MB = 1024 * 1024;
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

const state = {
  settings: { ...DEFAULTS },
  own: null,            // {model, tokenizer, corpus, label}: the pretrained or a loaded model (page-side)
  trainer: null,
  trainerKey: '',
  pending: null,        // a trainer still preparing its text
  training: null,       // {tokenizer, corpus, info}: what the trainer's run trains on, once ready
  source: 'own',        // 'own' or 'training': who answers the prefix box
  early: null,          // {model, step}: the trainer's barely trained copy (its first snapshot from EARLY_STEP)
  ownText: { text: '', file: null }, // the "Your own text" source: pasted text or a chosen file
  generation: 0,        // bumped to stop a streamed continuation
  streaming: 0,         // the generation number of a continuation being written (the sample strip waits)
  measuring: 0,         // bumped to stop a best-of-N measurement
  words: null,          // Set of the words corpus (for "real word" counts), loaded on first use
  wordsLoading: null,
  sampleSeed: 1,
  costs: null,          // the cost panel (web/views/costs.js), per token
  trainLoss: new Series(2000),   // nats per token, as logged by the worker
  testLoss: new Series(500),
  lastMetricsStep: -1,
};

// ---- messages -----------------------------------------------------------------------------------------------

const showMessage = messageLine($('message'));

function guard(fn) {
  return (...args) => Promise.resolve().then(() => fn(...args)).catch((e) => {
    if (e.name !== 'WorkerStoppedError') showMessage(e.message); // a death cut it short: the error event said so
    setRunning(state.trainer?.running ?? false);
  });
}

// ---- the answering model ------------------------------------------------------------------------------------

function active() {
  if (state.source === 'training' && state.trainer?.predictor && state.training) {
    return { model: state.trainer.predictor, ...state.training };
  }
  return state.own;
}

function activeLabel() {
  if (state.source === 'training' && state.trainer) {
    const p = state.trainer.progress;
    return `your model in training${p ? ` (step ${p.step})` : ''}`;
  }
  return state.own?.label ?? '';
}

// The context the model reads for a prefix: a newline first where the vocabulary has one (training text starts
// lines after a newline, so the prefix is read as the start of a word or a line).
function contextOf(tokenizer, prefix) {
  const start = tokenizer.vocabulary.includes('\n') ? '\n' : '';
  return tokenizer.encodeForDisplay(start + prefix);
}

// The words corpus's vocabulary is a-z and the newline; a loaded model with just those letters came from it.
function isWordsVocabulary(vocabulary) {
  return vocabulary.every((t) => /^[a-z\n]+$/.test(t));
}

// ---- the prefix box ------------------------------------------------------------------------------------------

let showChips, showNext;

function onPrefix() {
  const a = active();
  const prefix = $('prefix').value;
  if (!a) return;
  const t0 = performance.now();
  const { ids, pieces } = contextOf(a.tokenizer, prefix);
  showChips(pieces);
  const unknown = pieces.filter((p) => p.id < 0).map((p) => p.text);
  $('chips-note').textContent = unknown.length
    ? `Not in this model's vocabulary, left out: ${[...new Set(unknown)].map((c) => JSON.stringify(c)).join(' ')}.`
    : `${[...prefix].length} characters, ${pieces.length} tokens` +
      `${pieces[0]?.text.startsWith('\n') ? ' (the first, ⏎, starts a line, as after the line before)' : ''}.`;
  $('chips').dataset.prefix = prefix;
  if (!ids.length) {
    showNext(null);
    return;
  }
  const probs = a.model.nextTokenProbabilities(ids);
  const ms = performance.now() - t0;
  showNext(topTokens(probs, a.tokenizer.vocabulary, NEXT_ROWS));
  $('next-bars').dataset.prefix = prefix; // which text the bars answer (tests wait for it)
  $('next-latency').textContent = `Tokens and next-token probabilities: ${formatMeasuredMs(ms)} on this page.`;
  drawAttentionOf(a, ids, pieces);
  updateTokenization();
}

// The layer and head menus follow the model; the heatmap shows the chosen head over the last window of tokens.
function drawAttentionOf(a, ids, pieces) {
  const layers = a.model.attentionWeights(ids);
  const layerMenu = $('layer'), headMenu = $('head');
  if (layerMenu.options.length !== layers.length) {
    layerMenu.replaceChildren(...layers.map((_, i) => new Option(String(i + 1), String(i))));
  }
  const layer = layers[Number(layerMenu.value) || 0] || layers[0];
  if (!layer) return;
  if (headMenu.options.length !== layer.length) {
    headMenu.replaceChildren(...layer.map((_, i) => new Option(String(i + 1), String(i))));
  }
  const weights = layer[Number(headMenu.value) || 0] || layer[0];
  const known = pieces.filter((p) => p.id >= 0);
  const L = Math.round(Math.sqrt(weights.length));
  const labels = known.slice(-L).map((p) => visibleToken(p.text));
  // as tall as the tokens need: up to 32 px a row under the labels' band
  $('attention').style.height = `${Math.min(420, 32 + 32 * labels.length)}px`;
  drawAttention($('attention'), weights, labels, { colors: pageColors(), accent: rgbOf(classColor(1)) });
  $('attention').dataset.tokens = String(L);
}

// ---- Continue: a streamed continuation ---------------------------------------------------------------------------

function continuePrefix() {
  const a = active();
  if (!a) return;
  const { ids } = contextOf(a.tokenizer, $('prefix').value);
  if (!ids.length) throw new Error('Type something the model can read first.');
  const temperature = Number($('temperature').value), topK = Number($('top-k').value), seed = Number($('gen-seed').value);
  const run = ++state.generation;
  const out = $('continuation');
  out.textContent = '';
  out.dataset.tokens = '0';
  out.dataset.done = '';
  const t0 = performance.now();
  const tokens = a.model.startGeneration(ids, { maxTokens: DEFAULTS.maxTokens, temperature, topK, seed: seed >>> 0 });
  const prefillMs = performance.now() - t0;
  let count = 0, spentMs = 0, text = '';
  $('stop-continue').disabled = false;
  state.streaming = run;
  const finish = (why) => {
    if (state.streaming !== run) return; // a newer continuation has the output now
    $('stop-continue').disabled = true;
    out.dataset.done = why;
    state.streaming = 0;
  };
  // A few ms of tokens per frame, so the page keeps drawing while the text streams in.
  const slice = () => {
    if (run !== state.generation) return finish('stopped');
    const start = performance.now();
    let step;
    try {
      while (performance.now() - start < SLICE_MS) {
        step = tokens.next();
        if (step.done) break;
        count++;
        text += a.tokenizer.decode([step.value]);
      }
    } catch (err) { // the model went away (another model answers now) or its generation was ended
      finish('stopped');
      return showMessage(`Continue stopped: ${err.message}`);
    }
    spentMs += performance.now() - start;
    out.textContent = text;
    out.dataset.tokens = String(count);
    const usPerToken = (1000 * spentMs) / Math.max(count, 1);
    $('gen-stats').textContent = `${count} tokens: ${formatMicroseconds(usPerToken)} per token, ` +
      `${Math.round((1000 * count) / Math.max(spentMs, 1e-3)).toLocaleString('en')} tokens/s on this page ` +
      `(reading the prefix first: ${formatMeasuredMs(prefillMs)}).`;
    $('gen-stats').dataset.usPerToken = String(usPerToken);
    if (step?.done) return finish('finished');
    requestAnimationFrame(slice);
  };
  requestAnimationFrame(slice);
}

// ---- the sample strip --------------------------------------------------------------------------------------------

function drawSamples() {
  const a = active();
  if (!a || document.hidden || state.streaming) return; // one generation at a time on a model
  const vocab = a.tokenizer.vocabulary;
  const start = vocab.indexOf('\n');
  const seed = state.sampleSeed++;
  const ids = a.model.generate([start >= 0 ? start : 0], { maxTokens: 120, temperature: 1, seed });
  const text = a.tokenizer.decode(ids);
  let lines = text.split('\n').filter((l) => l.trim());
  if (lines.length < 3) lines = text.match(/.{1,60}/gs) || []; // prose without line breaks: cut into lines
  const list = $('samples');
  list.replaceChildren(...lines.slice(0, 8).map((l) => {
    const li = document.createElement('li');
    li.textContent = l;
    return li;
  }));
  list.dataset.count = String(Number(list.dataset.count || 0) + 1);
  $('samples-note').textContent = `From ${activeLabel()}, at temperature 1.`;
}

// ---- training ----------------------------------------------------------------------------------------------------

function settingsFromForm() {
  const s = {
    corpus: $('corpus').value, tokenizer: $('tokenizer').value, size: $('size').value,
    seed: Number($('seed').value), lr: Number($('lr').value),
    temperature: Number($('temperature').value), topK: Number($('top-k').value), genSeed: Number($('gen-seed').value),
  };
  if (!(s.lr > 0 && s.lr <= 1)) throw new Error(`Learning rate: expected a number above 0 and at most 1, got "${$('lr').value}"`);
  if (!Number.isInteger(s.seed) || s.seed < 0) throw new Error(`Seed: expected a whole number from 0, got "${$('seed').value}"`);
  return s;
}

function syncHash() {
  try {
    state.settings = { ...state.settings, ...settingsFromForm() };
    history.replaceState(null, '', `#${toHash(state.settings)}`);
  } catch { /* the form's message appears when it is used */ }
}

function describeCorpus() {
  const c = $('corpus').value;
  $('corpus-note').textContent = (c === 'own' ? OWN_CORPUS : CORPORA[c])?.description ?? '';
}

function showSettings(s) {
  $('corpus').value = s.corpus;
  $('tokenizer').value = s.tokenizer;
  $('size').value = s.size;
  $('seed').value = String(s.seed);
  $('lr').value = String(s.lr);
  $('temperature').value = String(s.temperature);
  $('top-k').value = String(s.topK);
  $('gen-seed').value = String(s.genSeed);
  $('own-text').hidden = s.corpus !== 'own';
  describeCorpus();
}

// The text of "Your own text", checked on the page before the worker reads it.
function ownTextSource() {
  const { file } = state.ownText;
  if (file) {
    if (file.size > OWN_TEXT_LIMIT) {
      throw new Error(`${file.name} is ${(file.size / MB).toFixed(1)} MB; your own text can be at most ` +
        `${OWN_TEXT_LIMIT / MB} MB. Pick a shorter file; the model on the page keeps answering.`);
    }
    return file;
  }
  const text = $('own-input').value;
  if (!text.trim()) throw new Error('Your own text is empty: paste some text (a few pages at least) or choose a .txt file.');
  return text;
}

function setRunning(running) {
  $('train').disabled = running;
  $('pause').disabled = !running;
  $('reset').disabled = !state.trainer || running;
}

function showPreparing(detail) {
  const { phase, done = 0, total = 0 } = detail || {};
  $('prepare-status').hidden = !phase;
  if (!phase) return;
  const words = { loading: 'Loading the text', merges: 'Learning byte-pair merges', encoding: 'Encoding the text' };
  $('prepare-label').textContent = words[phase] || phase;
  $('prepare-progress').value = total ? done / total : 0;
  $('prepare-text').textContent = total ? `${done.toLocaleString('en')} of ${total.toLocaleString('en')}` : '';
  $('prepare-status').dataset.phase = phase;
}

function clearCharts() {
  state.trainLoss.clear();
  state.testLoss.clear();
  state.lastMetricsStep = -1;
  drawChart();
}

// A trainer for settings s. It prepares its text (loading, learning merges, encoding) beside the current one, which
// keeps answering until the new one is ready (adoptTrainer).
function newTrainer(s) {
  const text = { corpus: s.corpus, base: GENERATED.href, ...tokenizerOptions(s.tokenizer) };
  if (s.corpus === 'own') text.text = ownTextSource();
  const t = new Trainer(gptSpec({ vocab: WORDS_VOCABULARY.length, size: s.size, lr: s.lr, seed: s.seed }), { text },
    { batchSize: 32, logEvery: 10 });
  t.addEventListener('preparing', (e) => { if (t === state.pending) showPreparing(e.detail); });
  t.addEventListener('progress', (e) => { if (t === state.trainer) onProgress(e.detail); });
  t.addEventListener('snapshot', (e) => { if (t === state.trainer) onSnapshot(e.detail); });
  t.addEventListener('stopped', () => { if (t === state.trainer) setRunning(false); });
  t.addEventListener('restarted', (e) => {
    if (t !== state.trainer) return;
    setRunning(false);
    if (state.goOnAfterRestart) {
      state.goOnAfterRestart = false;
      return guard(async () => { // Train clears the message first
        await train();
        showMessage(oneThreadFrom(e.detail.step), false);
      })();
    }
    showMessage(`The training worker was restarted from the last snapshot (step ${e.detail.step}), paused: press Train to go on.`, false);
  });
  t.addEventListener('error', (e) => {
    const d = e.detail;
    if (t !== state.trainer || d.kind === 'init') return; // init: ensureTrainer reports why ready failed
    if (!d.fatal) return showMessage(d.message);
    state.goOnAfterRestart = helperStopped(d) && $('train').disabled; // it was training: it goes on
    setRunning(false);
    if (state.goOnAfterRestart) {
      showMessage(RESTARTING_ON_ONE_THREAD, false);
    } else if (d.restarting) {
      showMessage(`The training worker failed (${d.message}); it restarts from the last snapshot, paused, and the ` +
        'prefix box keeps answering. Press Train to go on.');
    } else showMessage(`Training stopped: ${d.message}. The prefix box keeps answering with the last good weights.`);
  });
  return t;
}

// The ready trainer replaces the old one: new counters, charts and barely trained model.
function adoptTrainer(t, key, corpus, info) {
  state.trainer?.dispose();
  state.early?.model?.dispose();
  state.early = null;
  state.trainer = t;
  state.trainerKey = key;
  state.training = { tokenizer: Tokenizer.fromVocabulary(info.vocabulary), corpus, info };
  clearCharts();
  for (const id of ['stat-tokens', 'stat-rate', 'stat-wall', 'stat-heldout', 'stat-bits', 'stat-train', 'stat-flops']) $(id).textContent = '–';
  $('stat-heldout').dataset.value = '';
  $('stat-step').textContent = '0';
}

// A different corpus, tokenizer, size, seed or own text needs a new model; a new lr does not.
function keyOf(s) {
  const own = s.corpus === 'own' ? (state.ownText.file ? `file:${state.ownText.file.name}:${state.ownText.file.size}` : $('own-input').value) : '';
  return JSON.stringify([s.corpus, s.tokenizer, s.size, s.seed, own]);
}

// The trainer the form describes, made and prepared if needed; null when another Train press superseded it.
async function ensureTrainer() {
  const s = settingsFromForm();
  const key = keyOf(s);
  const current = state.trainer;
  if (current && state.trainerKey === key && !current.failed) {
    await current.set({ lr: s.lr });
    return current;
  }
  const t = newTrainer(s);
  state.pending?.dispose();
  state.pending = t;
  showPreparing({ phase: 'loading' });
  if (current?.running) await current.pause().catch(() => {});
  let info;
  try {
    info = await t.ready;
  } catch (err) {
    if (state.pending === t) {
      state.pending = null;
      t.dispose();
      showPreparing(null);
      const file = s.corpus === 'own' ? state.ownText.file?.name : null;
      const why = err.message.charAt(0).toUpperCase() + err.message.slice(1).replace(/\.$/, '');
      throw new Error(`${file ? `${file}: ` : ''}${why}. The model on the page keeps answering.`);
    }
    return null;
  }
  if (state.pending !== t) return null;
  state.pending = null;
  showPreparing(null);
  adoptTrainer(t, key, s.corpus, info);
  updateSizes().catch((e) => showMessage(e.message));
  return t;
}

async function train() {
  showMessage('');
  setRunning(true);
  const t = await ensureTrainer();
  if (!t) return;
  useTraining();
  await t.start({ maxSteps: MAX_STEPS });
}

async function stepOnce() {
  showMessage('');
  const t = await ensureTrainer();
  if (!t) return;
  useTraining();
  await t.step(1);
}

function useTraining() {
  if (state.source === 'training') return;
  state.source = 'training';
  modelChanged();
}

// Losses arrive in nats per token; per character they are loss * tokens / characters of the same text.
function charsPerToken(which = 'train') {
  const info = state.training?.info?.text;
  if (!info) return 1;
  return which === 'heldout' ? info.heldoutChars / info.heldoutTokens : info.trainChars / info.trainTokens;
}

function onProgress(p) {
  const trainScale = 1 / charsPerToken('train');
  const pts = p.points;
  if (pts) for (let i = 0; i < pts.steps.length; i++) state.trainLoss.push(pts.steps[i], pts.losses[i] * trainScale);
  if (Number.isFinite(p.testLossPerChar) && p.metricsStep !== state.lastMetricsStep) {
    state.lastMetricsStep = p.metricsStep;
    const nats = p.testLossPerChar;
    state.testLoss.push(p.metricsStep, nats);
    $('stat-heldout').textContent = nats.toFixed(3);
    $('stat-heldout').dataset.value = String(nats);
    $('stat-bits').textContent = (nats / LN2).toFixed(3);
  }
  if (Number.isFinite(p.trainLossPerChar)) $('stat-train').textContent = p.trainLossPerChar.toFixed(3);
  $('stat-step').textContent = p.step.toLocaleString('en');
  $('stat-tokens').textContent = Number.isFinite(p.tokensSeen) ? p.tokensSeen.toLocaleString('en') : '–';
  $('stat-rate').textContent = p.tokensPerSec > 0 ? Math.round(p.tokensPerSec).toLocaleString('en') : '–';
  showThreads($('stat-threads'), p.threads);
  $('stat-wall').textContent = formatSeconds(p.wallMs);
  $('stat-wall').dataset.ms = String(p.wallMs);
  $('stat-flops').textContent = formatFlops(p.flopsDone);
  scheduleChart();
  if (state.source === 'training') $('predictor-name').textContent = `Answering: ${activeLabel()}.`;
  updateCosts();
}

// The cost panel follows the model that answers and what trained it: this tab's run, or for the pretrained words
// model the build's recipe (its steps, tokens and FLOPs are known; its time was not measured here). Per token.
function updateCosts() {
  const a = active(), panel = state.costs;
  if (!panel) return;
  if (!a) return panel.setModel(null);
  const m = a.model;
  panel.setModel(m, { label: activeLabel(), flopsPerPrediction: m.flops.forward / m.inputSize, measure: measureTokenServing });
  const p = state.trainer?.progress;
  if (state.source === 'training' && p) {
    panel.setTraining(trainingFromProgress(p));
  } else if (state.own?.pretrained) {
    const { steps, batchSize } = WORDS_GPT_RECIPE, windows = steps * batchSize;
    panel.setTraining({
      steps, samples: windows * m.inputSize, samplesName: 'tokens', flops: windows * m.flops.train, wallMs: NaN, cpuMs: NaN,
      how: `The pretrained words model was trained when this site was built (${steps.toLocaleString('en')} steps of ` +
        `${batchSize} windows of ${m.inputSize} tokens): its steps, tokens and FLOPs are counted from that recipe; its ` +
        'time was not measured in this tab.',
    });
  } else {
    panel.setTraining({ how: 'Weights from a file: how they were trained is not known here. Train to count a run.' });
  }
}

function onSnapshot({ step }) {
  if (state.source === 'training') onPrefix();
  // The barely trained model for best of N: a copy of the first snapshot at or after EARLY_STEP.
  const t = state.trainer;
  if (!state.early && step >= EARLY_STEP && step < 4 * EARLY_STEP && t.lastSnapshot) {
    const weights = t.lastSnapshot.weights.slice();
    state.early = { model: null, step }; // claimed now: snapshots keep coming while the model is made
    Model.create(t.predictor.spec).then((m) => {
      if (t !== state.trainer || state.early?.step !== step) return m.dispose(); // replaced, or Reset meanwhile
      m.setWeights(weights);
      state.early.model = m;
    }).catch((e) => showMessage(e.message));
  }
}

let chartFrame = 0;
function scheduleChart() {
  if (!chartFrame) chartFrame = requestAnimationFrame(() => { chartFrame = 0; drawChart(); });
}

function drawChart() {
  const bits = $('unit').value === 'bits';
  const scaled = (series) => {
    if (!bits) return series;
    const s = new Series(series.cap);
    series.steps.forEach((step, i) => s.push(step, series.values[i] / LN2));
    return s;
  };
  const colors = pageColors();
  drawLineChart($('loss-chart'), [
    { series: scaled(state.trainLoss), color: classColor(1), label: 'train' },
    { series: scaled(state.testLoss), color: classColor(0), label: 'held-out', dots: state.testLoss.length < 3 },
  ], { logY: false, colors, empty: 'Press Train: the loss per character appears here' });
  $('loss-chart').dataset.points = String(state.trainLoss.length);
}

// ---- model sizes and cost ----------------------------------------------------------------------------------------

const readCost = new Map(); // the layers of a spec (JSON) -> FLOPs to read one token

// FLOPs to read one token with a model of this spec (made once per shape, to ask the core).
async function readCostOf(spec) {
  const key = JSON.stringify(spec.layers);
  if (!readCost.has(key)) {
    const m = await Model.create(spec);
    readCost.set(key, { perToken: m.flops.forward / spec.input[0], trainPerToken: m.flops.train / spec.input[0], params: m.paramCount });
    m.dispose();
  }
  return readCost.get(key);
}

// The size menu: parameters and FLOPs per token of each preset, for the answering model's vocabulary.
async function updateSizes() {
  const vocab = active()?.tokenizer.vocabulary.length ?? WORDS_VOCABULARY.length;
  const menu = $('size');
  const chosen = menu.value || state.settings.size;
  const options = [];
  for (const name of Object.keys(GPT_SIZES)) {
    const { params, perToken } = await readCostOf(gptSpec({ vocab, size: name }));
    options.push(new Option(`${name}: ${params.toLocaleString('en')} parameters, ${formatFlops(perToken)}/token`, name));
  }
  menu.replaceChildren(...options);
  menu.value = chosen;
  const size = GPT_SIZES[menu.value];
  const { perToken, trainPerToken } = await readCostOf(gptSpec({ vocab, size: menu.value }));
  $('size-note').textContent = `For a vocabulary of ${vocab} tokens. ${menu.value}: ${size.blocks} block(s) of ` +
    `${size.heads} attention heads, width ${size.dim}, a window of ${size.window} tokens. Training on a token costs ` +
    `${(trainPerToken / perToken).toFixed(1)} times reading it (forward, backward, update).`;
}

let tokenizationRun = 0;

// How the tokenizer shortens the text, and what that does to the cost of a character: beside a character model of
// the same shape (the vocabulary's single characters only).
function updateTokenization() {
  const a = active();
  if (!a) return;
  const run = ++tokenizationRun;
  const prefix = $('prefix').value;
  const { pieces } = a.tokenizer.encodeForDisplay(prefix);
  const chars = [...prefix].length;
  const window = a.model.spec.input[0];
  const onText = state.source === 'training' && state.training?.info?.text;
  const cpt = onText ? charsPerToken('train') : (pieces.length ? chars / pieces.length : 1);
  const where = onText ? 'on the training text' : 'on your prefix';
  const vocab = a.tokenizer.vocabulary;
  const letters = vocab.filter((t) => [...t].length === 1).length;
  Promise.all([readCostOf(a.model.spec), readCostOf(withVocabulary(a.model.spec, letters))]).then(([own, chars1]) => {
    if (run !== tokenizationRun) return;
    const perChar = own.perToken / cpt;
    let text = `${(prefix ? `Your prefix: ${chars} characters in ${pieces.length} tokens. ` : '')}This model reads ` +
      (a.tokenizer.kind === 'bpe' ? `byte-pair tokens (${vocab.length} in the vocabulary, ${letters} of them single characters)` : `characters (${vocab.length})`) +
      `: ${cpt.toFixed(2)} characters per token ${where}. Reading a token costs ${formatFlops(own.perToken)}, so a ` +
      `character costs ${formatFlops(perChar)}, and its window of ${window} tokens holds about ${Math.round(window * cpt)} characters.`;
    if (a.tokenizer.kind === 'bpe') {
      text += ` The same network on characters (${letters} tokens) costs ${formatFlops(chars1.perToken)} per character ` +
        `and sees ${window} characters: byte pairs make each character ${(chars1.perToken / perChar).toFixed(1)} times ` +
        'cheaper to read and the context longer, for a wider first and last layer.';
    }
    $('tokens-summary').textContent = text;
    $('tokens-summary').dataset.charsPerToken = String(cpt);
  }).catch((e) => showMessage(e.message));
}

// ---- page-side models: pretrained and loaded ---------------------------------------------------------------------

function modelChanged() {
  const a = active();
  $('predictor-name').textContent = a ? `Answering: ${activeLabel()}.` : 'No model yet.';
  $('layer').replaceChildren();
  $('head').replaceChildren();
  state.generation++;
  if (a) {
    onPrefix();
    drawSamples();
    updateSizes().catch((e) => showMessage(e.message));
  }
  updateCosts();
}

// A page-side GPT (pretrained or from a file) answers the prefix box; with toForm, the form shows its size and
// tokenizer (a loaded file), so Train makes a model like it.
function setOwnModel(model, label, { toForm = true } = {}) {
  const vocabulary = model.vocabulary;
  const first = model.spec.layers?.[0];
  if (!vocabulary || first?.type !== 'embedding' || first.vocab !== vocabulary.length) {
    const why = !vocabulary ? 'it has no vocabulary (a text model saved by this page carries one)'
      : first?.type !== 'embedding' ? 'it is not a language model (its first layer is not an embedding)'
      : `its vocabulary has ${vocabulary.length} tokens but its embedding ${first.vocab}`;
    model.dispose();
    throw new Error(`This page cannot use that model: ${why}. The model on the page keeps answering.`);
  }
  const tokenizer = Tokenizer.fromVocabulary(vocabulary);
  state.own?.model.dispose();
  state.own?.early?.model.dispose();
  state.own = { model, tokenizer, corpus: isWordsVocabulary(vocabulary) ? 'words' : 'other', label };
  state.source = 'own';
  const size = Object.keys(GPT_SIZES).find((name) =>
    JSON.stringify(gptSpec({ vocab: vocabulary.length, size: name }).layers) === JSON.stringify(model.spec.layers));
  if (toForm) {
    if (size) $('size').value = size;
    const merges = vocabulary.filter((t) => [...t].length > 1).length;
    $('tokenizer').value = tokenizer.kind === 'bpe' ? (merges > 384 ? 'bpe512' : 'bpe256') : 'chars';
    syncHash();
  }
  // Its "barely trained" twin for best of N: the same network before its first step (random weights).
  const own = state.own;
  Model.create(model.spec).then((m) => {
    if (state.own !== own) return m.dispose();
    own.early = { model: m, step: 0 };
  }).catch((e) => showMessage(e.message));
  modelChanged();
}

async function usePretrained() {
  showMessage('');
  if (state.own?.pretrained) {
    state.source = 'own';
    return modelChanged();
  }
  $('predictor-name').textContent = 'Loading the pretrained words model…';
  const url = new URL(PRETRAINED_FILE, GENERATED);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`the pretrained words model is missing (${url.pathname}: HTTP ${res.status}); run \`make data\``);
  const m = await Model.load(new Uint8Array(await res.arrayBuffer()));
  setOwnModel(m, 'the pretrained words model (trained when this site was built)', { toForm: false });
  state.own.pretrained = true;
  updateCosts(); // its training is the build's recipe
}

function downloadWeights() {
  const a = active();
  if (!a) throw new Error('no model to save yet');
  downloadBytes(a.model.save(), `text-${a.corpus}-${a.tokenizer.kind}.safetensors`);
}

async function loadWeightsFile(file) {
  showMessage('');
  const m = await readModelFile(file);
  setOwnModel(m, `weights from ${file.name}`);
  showMessage(`Loaded ${file.name}: a GPT of ${m.paramCount.toLocaleString('en')} parameters with a vocabulary of ` +
    `${m.vocabulary.length} tokens; the prefix box answers with it now.`, false);
}

// ---- best of N ---------------------------------------------------------------------------------------------------

// The words corpus as a Set, built in slices of WORD_SLICE tokens so no task of the page grows long.
const WORD_SLICE = 1 << 17;
function ensureWords() {
  state.wordsLoading ??= (async () => {
    const data = await fetchWords(GENERATED.href);
    const words = new Set();
    const decoder = new TextDecoder();
    for (const ids of [data.train, data.heldout]) {
      let carry = ''; // a word cut by the slice's end
      for (let at = 0; at < ids.length; at += WORD_SLICE) {
        const part = ids.subarray(at, at + WORD_SLICE);
        const chars = new Uint8Array(part.length); // token ids -> ASCII: 0 is the newline, 1..26 are a..z
        for (let i = 0; i < part.length; i++) chars[i] = part[i] === 0 ? 10 : part[i] + 96;
        const lines = (carry + decoder.decode(chars)).split('\n');
        carry = lines.pop();
        for (const w of lines) if (w) words.add(w);
        await nextTask();
      }
      if (carry) words.add(carry);
    }
    state.words = words;
    return words;
  })();
  state.wordsLoading.catch(() => { state.wordsLoading = null; });
  return state.wordsLoading;
}

function drawOptions(tokenizer, random) {
  const newline = new Set(tokenizer.vocabulary.flatMap((t, id) => (t.includes('\n') ? [id] : [])));
  return { isEnd: (id) => newline.has(id), maxTokens: 16, random };
}

function pickText(tokenizer, ids) {
  return tokenizer.decode(ids).split('\n')[0];
}

// N continuations of the prefix to the end of its line, the most probable (by the model's own reckoning) first.
function drawBest() {
  const a = active();
  if (!a) return;
  const n = Number($('best-n').value);
  const prefix = $('prefix').value;
  const { ids } = contextOf(a.tokenizer, prefix);
  const random = seededRandom(Number($('gen-seed').value) >>> 0);
  const draws = bestOfN(a.model, ids, n, drawOptions(a.tokenizer, random));
  const known = a.corpus === 'words' ? state.words : null;
  $('best-list').replaceChildren(...draws.map((d, i) => {
    const li = document.createElement('li');
    const text = prefix + pickText(a.tokenizer, d.ids);
    li.textContent = `${text || '(empty)'}  log p = ${d.logProb.toFixed(2)}${known?.has(text) ? '  (a real word)' : ''}`;
    if (i === 0) li.className = 'picked';
    return li;
  }));
  const tokens = draws.reduce((sum, d) => sum + d.ids.length, 0);
  $('best-cost').textContent = `${n} draw${n > 1 ? 's' : ''}: ${tokens} tokens generated to keep one continuation of ` +
    `${draws[0].ids.length} tokens (N times the tokens of one draw).`;
}

// The share of real corpus words among words picked as a list goes on, for N = 1, 4, 16, for the model as trained
// now and the barely trained one. Runs in slices between frames.
async function measureBest() {
  const run = ++state.measuring;
  const a = active();
  if (!a) return;
  if (a.corpus !== 'words') {
    throw new Error('Real words are counted against the words corpus: use the pretrained words model or train on "Invent words".');
  }
  $('best-note').textContent = 'Loading the word list…';
  const known = await ensureWords();
  const table = $('best-table');
  table.dataset.done = '';
  const start = Math.max(a.tokenizer.vocabulary.indexOf('\n'), 0);
  const early = state.source === 'training' ? state.early : state.own?.early;
  for (const [name, model] of [['now', a.model], ['early', early?.model]]) {
    const cells = table.querySelectorAll(`tr[data-model="${name}"] td`);
    if (!model) { cells.forEach((c) => { c.textContent = 'not yet'; }); continue; }
    for (const [k, n] of [1, 4, 16].entries()) {
      const options = drawOptions(a.tokenizer, seededRandom(1000 + n));
      const picks = pickWords(model, { n, start, window: model.spec.input[0], ...options });
      const trials = BEST_TRIALS[n];
      let real = 0, letters = 0, sliceStart = performance.now();
      for (let trial = 0; trial < trials; trial++) {
        const word = pickText(a.tokenizer, picks.next().value.ids);
        letters += [...word].length;
        if (known.has(word)) real++;
        if (performance.now() - sliceStart > SLICE_MS) {
          cells[k].textContent = `${trial + 1}/${trials}…`;
          await new Promise(requestAnimationFrame);
          if (run !== state.measuring) return;
          sliceStart = performance.now();
        }
      }
      // the mean length too: short picks (a, in, to) are real words more often, whatever the model knows
      cells[k].textContent = `${((100 * real) / trials).toFixed(1)}% (${(letters / trials).toFixed(1)} letters)`;
      cells[k].dataset.share = String(real / trials);
      cells[k].dataset.picks = String(trials);
      cells[k].dataset.letters = String(letters / trials);
      cells[k].title = `${real} of ${trials} picked words are in the corpus (${n * trials} draws); ` +
        `they have ${(letters / trials).toFixed(1)} letters on average`;
    }
  }
  table.dataset.done = '1';
  $('best-note').textContent = `Each cell: ${BEST_TRIALS[1]}, ${BEST_TRIALS[4]} and ${BEST_TRIALS[16]} words picked ` +
    'at temperature 1, each after the ones before, with their mean length. Keeping the most probable of N draws ' +
    'favours short, common words; it cannot make a model know words it never learned. "Barely trained" is ' +
    (early?.step ? `your model at step ${early.step}.` : 'the same network before its first step (random weights).');
}

// ---- your own text -----------------------------------------------------------------------------------------------

function setOwnFile(file) {
  state.ownText.file = file;
  $('own-status').textContent = file ? `${file.name}, ${(file.size / MB).toFixed(2)} MB: read by the worker when you press Train` : '';
}

function wireOwnText() {
  const zone = $('own-text');
  $('own-file').addEventListener('change', () => {
    const file = $('own-file').files[0];
    $('own-file').value = '';
    if (file) setOwnFile(file);
  });
  $('own-input').addEventListener('input', () => setOwnFile(null));
  zone.addEventListener('dragover', (e) => {
    if (!Array.from(e.dataTransfer?.types || []).includes('Files')) return;
    e.preventDefault();
    zone.classList.add('dragover');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragover'));
  zone.addEventListener('drop', (e) => {
    if (!e.dataTransfer?.files?.length) return;
    e.preventDefault();
    zone.classList.remove('dragover');
    setOwnFile(e.dataTransfer.files[0]);
  });
}

// ---- start -------------------------------------------------------------------------------------------------------

// Start-up in a few tasks, so a phone's main thread gets no long one: the views and the controls, then the cost
// panel, then the chart, then the pretrained model.
async function init() {
  Model.setMemoryLimit(DEFAULT_MEMORY_LIMIT);
  showChips = tokenChips($('chips'));
  showNext = topTokenBars($('next-bars'), NEXT_ROWS);
  const { settings, error } = parseHash(location.hash);
  state.settings = settings;
  for (const name of Object.keys(GPT_SIZES)) $('size').append(new Option(name, name));
  showSettings(settings);
  if (error) showMessage(error);
  $('prefix').addEventListener('input', () => { state.generation++; onPrefix(); });
  $('layer').addEventListener('change', () => { $('head').replaceChildren(); onPrefix(); });
  $('head').addEventListener('change', onPrefix);
  $('continue').addEventListener('click', guard(continuePrefix));
  $('stop-continue').addEventListener('click', () => { state.generation++; });
  $('config').addEventListener('change', () => {
    $('own-text').hidden = $('corpus').value !== 'own';
    describeCorpus();
    syncHash();
  });
  for (const id of ['temperature', 'top-k', 'gen-seed']) $(id).addEventListener('change', syncHash);
  $('lr').addEventListener('change', guard(() => {
    const lr = Number($('lr').value);
    if (state.trainer && lr > 0 && lr <= 1) return state.trainer.set({ lr });
  }));
  $('unit').addEventListener('change', drawChart);
  $('train').addEventListener('click', guard(train));
  $('pause').addEventListener('click', guard(() => state.trainer?.pause()));
  $('step').addEventListener('click', guard(stepOnce));
  $('reset').addEventListener('click', guard(async () => {
    if (!state.trainer) return;
    await state.trainer.reset({ seed: Number($('seed').value) >>> 0 });
    state.early?.model?.dispose(); // the new run keeps its own barely trained snapshot
    state.early = null;
    clearCharts();
    setRunning(false);
  }));
  $('pretrained').addEventListener('click', guard(usePretrained));
  $('best-draw').addEventListener('click', guard(drawBest));
  $('best-measure').addEventListener('click', guard(measureBest));
  wireOwnText();
  wireWeightsControls({
    downloadButton: $('download'), onDownload: guard(downloadWeights),
    input: $('load-file'), onFile: guard(loadWeightsFile), onError: (e) => showMessage(e.message),
  });
  await nextTask();
  state.costs = new CostPanel($('costs'), { unit: ['token', 'tokens'], label: 'What serving costs' });
  await nextTask();
  drawChart();
  // The canvases are painted on the page's surface: a change of colour scheme paints them again.
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => { drawChart(); onPrefix(); });
  setInterval(drawSamples, SAMPLE_EVERY_MS);
  guard(usePretrained)().then(() => { document.body.dataset.ready = '1'; });
}

// For tests and the curious: read-only views of the live state.
window.textPage = Object.freeze({
  get trainer() { return state.trainer; },
  get active() { return active(); },
  get early() { return state.early; },
  get source() { return state.source; },
});

init();

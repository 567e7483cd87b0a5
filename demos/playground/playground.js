// The playground page: a form (synced to the URL hash) -> a Trainer (training in a worker) -> two views side by
// side: training (counters, loss curves) and inference (the model's map of the plane, probed under the pointer,
// with measured latency). The page never trains: it repaints from the latest snapshot once per animation frame.
// Runs compared with the page's model (compare.js) train in workers of their own and share its controls.
import { Model } from '../../wasm/tinytrain.js';
import { Trainer, DEFAULT_MEMORY_LIMIT } from '../../web/runtime/trainer.js';
import { PACE } from '../../web/runtime/protocol.js';
import { downloadBytes, readModelFile, wireWeightsControls } from '../shared/weights-file.js';
import { Series, drawLineChart } from '../../web/views/chart.js';
import { DecisionMap, nearestPoint } from '../../web/views/map.js';
import { FunctionPlot } from '../../web/views/plot.js';
import { classColor, pageColors } from '../../web/views/palette.js';
import { DATASETS } from '../../web/datasets.js';
import { microsecondsPerCall, formatMicroseconds, formatMeasuredMs, CLOCK_STEP_MS, nextTask } from '../../web/timing.js';
import { overfitting, overfittingText, stopAtBestLabel, BestHeldOut, cutCurve } from '../../web/views/overfit.js';
import { Comparison, RUN_COLORS, MAIN_NAME } from './compare.js';
import { explainTerms } from '../../web/views/glossary.js';
import { NetworkView } from './network.js';
import { CostPanel, trainingFromProgress } from '../../web/views/costs.js';
import { showThreads, helperStopped, oneThreadFrom } from '../shared/threads.js';
import {
  ACTIVATIONS, DEFAULTS, MAX_LAYERS, MAX_UNITS, parseHash, toHash, buildSpec, dataOptions, lossesFor, classesOf, cloneConfig, configFromSpec,
  runConfig, runSettings,
} from './config.js';
import { withCommas } from '../shared/numbers.js';
import { showLater } from '../shared/later.js';

const $ = (id) => document.getElementById(id);
const STEP_BUTTON_STEPS = 10;
const MAP_RESOLUTION = 100; // 100 x 100 grid = 10,000 points
const MAP_BAND_ROWS = 10;   // rows per predict call while the map is painted in bands
const FRAME_BUDGET_MS = 8;  // the page's work per animation frame: a phone's frame has room for little more

let config = cloneConfig(DEFAULTS);
let trainer = null;
let view = null;          // DecisionMap or FunctionPlot
let points = null;        // the dataset as trained on: {x, y, testX, testY, classes, task}
let grid = null;          // the view's grid inputs (fixed per view)
let drawnVersion = -1;    // trainer.weightsVersion last painted
let probe = null;         // [px, py] in CSS pixels of the map, or null
let chartDirty = true, mapDirty = true;
let targetStep = 0;       // the step the current run trains to (Steps per run more at each press of Train)
let pausedWhileHidden = false; // a run paused because the tab was hidden, resumed when it is shown again
let goOnAfterRestart = false;  // a helper thread stopped mid-run: the restarted worker trains on
let curves = { train: new Series(), test: new Series() }; // the page's model's; a compared run brings its own
const network = new NetworkView($('network'), $('unit-zoom'));
let networkVersion = -1, networkAt = -Infinity; // the weights the network drawing shows, and when
let networkJob = null;    // a network update in progress (its steps: one column of unit maps each)
let latencyDue = false;   // a map was painted: time one prediction in a frame of its own
// Measured on this page, for the stats panel and the tests; worstMs: the slowest frame and its parts.
const stats = { paints: 0, mapMs: NaN, latencyUs: NaN, frames: 0,
  worstMs: { frame: 0, predict: 0, render: 0, chart: 0, network: 0, compare: 0 } };
let lastChartAt = -Infinity;

// ---- messages ------------------------------------------------------------------------------------------------

function showMessage(text, kind = 'warn') {
  const el = $('message');
  el.textContent = text; // textContent: messages may quote user input from the URL
  el.className = kind;
  el.hidden = false;
}
function clearMessage() {
  $('message').hidden = true;
  $('message').textContent = '';
}

// ---- formatting ----------------------------------------------------------------------------------------------

function si(v, unit = '') {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  for (const [d, p] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']]) {
    if (a >= d) return `${(v / d).toPrecision(3)} ${p}${unit}`;
  }
  return `${Math.round(v)} ${unit}`.trim();
}
const pct = (v) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '–');
const fixed = (v, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : '–');
function setStat(id, text, value) {
  const el = $(id);
  el.textContent = text;
  if (value !== undefined) el.dataset.value = String(value); // exact number for tests and tools
}

// ---- the form ------------------------------------------------------------------------------------------------

function renderForm() {
  for (const id of ['dataset', 'noise', 'n', 'test', 'dataSeed', 'optimizer', 'lr', 'batchSize', 'seed', 'steps', 'speed']) {
    $(id).value = String(config[id]);
  }
  $('arms').value = String(config.arms);
  $('arms-row').hidden = config.dataset !== 'spiral';
  const loss = $('loss');
  loss.replaceChildren(...lossesFor(config.dataset, config.arms).map((l) => new Option(l, l)));
  loss.value = config.loss;
  const list = $('layers');
  list.replaceChildren();
  config.layers.forEach((l, i) => {
    const row = $('layer-row').content.firstElementChild.cloneNode(true);
    const units = row.querySelector('.units'), act = row.querySelector('.act'), rm = row.querySelector('.remove');
    units.value = String(l.units);
    units.setAttribute('aria-label', `Layer ${i + 1} units`);
    act.replaceChildren(...ACTIVATIONS.map((a) => new Option(a === 'linear' ? 'none' : a, a)));
    act.value = l.act;
    act.setAttribute('aria-label', `Layer ${i + 1} activation`);
    rm.setAttribute('aria-label', `Remove layer ${i + 1}`);
    units.addEventListener('change', () => {
      const v = Number(units.value);
      if (Number.isInteger(v) && v >= 1 && v <= MAX_UNITS) {
        config.layers[i].units = v;
        configChanged(true);
      } else {
        showMessage(`Not applied: layer ${i + 1} can have 1 to ${MAX_UNITS} units (a whole number), got "${units.value}"; ` +
          `it keeps ${l.units}.`);
        units.value = String(l.units);
      }
    });
    act.addEventListener('change', () => { config.layers[i].act = act.value; configChanged(true); });
    rm.addEventListener('click', () => { config.layers.splice(i, 1); configChanged(true, true); });
    list.append(row);
  });
  $('add-layer').disabled = config.layers.length >= MAX_LAYERS;
  const classes = classesOf(config.dataset, config.arms);
  const out = buildSpec(config).layers.at(-1).units;
  $('output-layer').textContent = `Input: ${DATASETS[config.dataset].inputSize} feature(s). Output layer: dense ${out}` +
    (classes ? ` (${classes} classes)` : ' (a value)') + '.';
}

// A field's label as a reader sees it: without the glossary's hidden explanations and the field itself.
function labelText(el) {
  const label = el.closest('label')?.cloneNode(true);
  label?.querySelectorAll('.tip, input, select').forEach((e) => e.remove());
  return label?.textContent.replace(/\s+/g, ' ').trim();
}

// Reads one form field into config; returns false (and restores the field) if the value is out of range.
function readField(id) {
  const el = $(id);
  const numeric = !['dataset', 'loss', 'optimizer', 'speed'].includes(id);
  const v = numeric ? Number(el.value) : el.value;
  const { config: probeConfig, error } = parseHash(toHash({ ...cloneConfig(config), [id]: v }));
  if (error || (numeric && el.value === '')) {
    const label = labelText(el) || id;
    showMessage(`Not applied: ${error || `${label}: a value is needed`}; it keeps ${config[id]}.`);
    el.value = String(config[id]);
    return false;
  }
  config[id] = probeConfig[id];
  return true;
}

// live: lr and batch size go to the running trainer; everything else rebuilds the model.
function configChanged(rebuildNeeded, rerenderForm = false) {
  clearMessage(); // the change was applied: an older "not applied" no longer holds
  window.history.replaceState(null, '', `#${toHash(config, comparison.settings())}`);
  if (rerenderForm) renderForm();
  if (rebuildNeeded) rebuild();
  comparison.refresh(); // the runs are named by how they differ from the page's settings
  chartDirty = true;    // and so is the chart's legend
}

function bindForm() {
  for (const id of ['noise', 'n', 'test', 'dataSeed', 'seed', 'optimizer', 'loss']) {
    $(id).addEventListener('change', () => { if (readField(id)) configChanged(true, id === 'loss'); });
  }
  $('steps').addEventListener('change', () => { if (readField('steps')) configChanged(false); });
  $('dataset').addEventListener('change', () => {
    config.dataset = $('dataset').value;
    if (!lossesFor(config.dataset, config.arms).includes(config.loss)) config.loss = lossesFor(config.dataset, config.arms)[0];
    configChanged(true, true);
  });
  $('arms').addEventListener('change', () => {
    config.arms = Number($('arms').value);
    if (!lossesFor(config.dataset, config.arms).includes(config.loss)) config.loss = 'cross_entropy';
    configChanged(true, true);
  });
  $('lr').addEventListener('change', () => {
    if (!readField('lr')) return;
    configChanged(false);
    if (trainer) trainer.set({ lr: config.lr }).catch((e) => showMessage(`Learning rate not applied: ${e.message}`));
  });
  $('batchSize').addEventListener('change', () => {
    if (!readField('batchSize')) return;
    configChanged(false);
    if (trainer) trainer.set({ batchSize: config.batchSize }).catch((e) => showMessage(`Batch size not applied: ${e.message}`));
  });
  $('speed').addEventListener('change', () => {
    if (!readField('speed')) return;
    configChanged(false);
    if (trainer) trainer.set({ pace: PACE[config.speed] }).catch((e) => showMessage(`Speed not applied: ${e.message}`));
    comparison.setPace(PACE[config.speed]).catch((e) => showMessage(`Speed not applied: ${e.message}`));
  });
  $('add-layer').addEventListener('click', () => {
    if (config.layers.length >= MAX_LAYERS) return;
    config.layers.push({ units: 8, act: config.layers.at(-1)?.act || 'relu' });
    configChanged(true, true);
    $('layers').lastElementChild?.querySelector('.units')?.focus();
  });
  $('config').addEventListener('submit', (e) => e.preventDefault());
  // A hand-edited hash (or back/forward) is a new configuration.
  window.addEventListener('hashchange', () => {
    if (location.hash.replace(/^#/, '') === toHash(config, comparison.settings())) return;
    rebuild(null, loadFromHash());
  });
}

// Reads the link into the form; returns the compared runs it lists.
function loadFromHash() {
  const { config: c, runs, error } = parseHash(location.hash);
  config = c;
  if (error) {
    showMessage(`Some settings in this link could not be used and keep their defaults: ${error}.`);
    // the address bar now holds the runs shown, so copying it shares what the page does
    window.history.replaceState(null, '', `#${toHash(config, runs)}`);
  }
  renderForm();
  return runs;
}

// ---- training ------------------------------------------------------------------------------------------------

function setStatus(text) {
  $('status').textContent = text;
}

// Off once the Trainer gave up on its worker; a new model (any change to the form, a weight file) has a new one.
function enableTraining(on) {
  for (const id of ['train', 'pause', 'step', 'reset']) $(id).disabled = !on;
}

// start: {weights, name} to begin from a weight file's parameters instead of the seed's initialisation. runs: the
// compared runs' settings; those whose model and data are unchanged keep training.
function rebuild(start = null, runs = comparison.settings()) {
  if (trainer) trainer.dispose();
  const t = new Trainer(buildSpec(config), dataOptions(config), { batchSize: config.batchSize, pace: PACE[config.speed] });
  adopt(t, { start });
  comparison.sync(runs);
}

// Makes t the page's model: its events drive the page and its predictor answers the map. kept: the curves and step
// budget of a compared run that becomes the page's model (its trainer keeps its worker and weights).
let wiring = null; // aborts the listeners of the trainer that was the page's model before
function adopt(t, { start = null, kept = null } = {}) {
  wiring?.abort();
  wiring = new AbortController();
  const on = (type, fn) => t.addEventListener(type, fn, { signal: wiring.signal });
  costs?.setModel(null); // the predictor goes with its trainer
  costs?.setTraining(null);
  curves = kept?.curves || { train: new Series(), test: new Series() };
  lastTestStep = curves.test.length ? curves.test.steps[curves.test.length - 1] : -1;
  points = null;
  drawnVersion = -1;
  mapJob = networkJob = null;
  lowest.clear();
  showOverfitting(null);
  targetStep = kept?.targetStep ?? 0;
  pausedWhileHidden = false;
  stats.latencyUs = NaN;
  chartDirty = mapDirty = true;
  resetTrainingStats();
  latestProgress = t.progress;
  const def = DATASETS[config.dataset];
  const canvas = $('map');
  view = def.task === 'regression' ? new FunctionPlot(canvas) : new DecisionMap(canvas, { resolution: MAP_RESOLUTION });
  grid = null; // made when the worker is ready, in a task of its own
  trainer = t;
  enableTraining(!t.failed);
  setStatus(t.failed ? 'stopped: the training worker keeps failing' : t.info ? (t.running ? 'training…' : 'paused') : 'loading…');
  on('progress', (e) => { if (trainer === t) onProgress(e.detail); });
  on('snapshot', (e) => {
    if (trainer !== t) return;
    mapDirty = true;
    lowest.consider(t);
  });
  on('stopped', (e) => {
    if (trainer !== t) return;
    showProgress(performance.now(), true); // the final counters, before the status says so
    const reason = e.detail.reason;
    if (reason === 'paused' && pausedWhileHidden) setStatus('paused while the tab is hidden');
    else setStatus(reason === 'diverged' ? 'stopped: diverged' : reason === 'finished' ? `finished (${config.steps} steps per run)` : 'paused');
  });
  on('error', (e) => {
    if (trainer !== t) return;
    const d = e.detail;
    if (d.kind === 'diverged') {
      showMessage(`Training stopped: ${d.message}. Inference keeps the last good weights.`, 'error');
    } else if (helperStopped(d)) {
      goOnAfterRestart = $('status').textContent === 'training…'; // it was training: it goes on
      setStatus('a helper thread stopped; restarting on one thread…');
    } else if (d.fatal && d.restarting) {
      setStatus('worker failed; restarting…');
      showMessage(`The training worker failed (${d.message}); it restarts from the last snapshot and inference keeps working.`, 'error');
    } else if (d.fatal && t.failed) { // given up: no worker any more, so nothing to train with
      enableTraining(false);
      setStatus('stopped: the training worker keeps failing');
      showMessage(`Training stopped: ${d.message}. Inference keeps the last good weights; change a setting or ` +
        'reload the page to train a new model.', 'error');
    } else {
      showMessage(d.message, 'error');
    }
  });
  // The new worker resumes from the last snapshot, which may be older than the dead worker's last progress.
  on('restarted', (e) => {
    if (trainer !== t) return;
    setStatus(`restarted at step ${e.detail.step}; paused`);
    if (!goOnAfterRestart) return;
    goOnAfterRestart = false;
    showMessage(oneThreadFrom(e.detail.step));
    $('train').click();
  });
  t.ready.then(async (info) => {
    if (trainer !== t) return;
    grid = view.gridInputs();
    await nextTask();
    if (trainer !== t) return;
    if (start) {
      // The worker replies after the snapshot that gives the predictor these weights, so the first map painted
      // (points is still null until then) already shows the file's model.
      try {
        await t.setWeights(start.weights, { step: 0 });
      } catch (err) {
        if (trainer === t) showMessage(`The weights from ${start.name} did not reach the trainer: ${err.message}`, 'error');
      }
      if (trainer !== t) return;
    }
    points = info.dataset;
    showLegend(points.classes);
    network.build(t.spec, Model).then((drawable) => {
      if (trainer !== t) return; // rebuilt meanwhile: the later build is the one drawn
      $('network-section').hidden = !drawable;
      networkVersion = -1;
      networkJob = null; // its models are gone
    }, (err) => showMessage(`The network drawing is not available: ${err.message}`));
    // the cost panel times the predictor on the first test point (the first training point without a test split)
    const sample = () => Float32Array.from((points.testX?.length ? points.testX : points.x).subarray(0, info.inputSize));
    costs?.setModel(t.predictor, { input: sample, label: `(${config.dataset}, ${si(info.paramCount)} parameters)` });
    setStat('stat-fwd-flops', si(info.flops.forward, 'FLOP'), info.flops.forward);
    setStat('stat-params', si(info.paramCount), info.paramCount);
    if (kept) setStatus(t.running ? 'training…' : t.progress ? 'paused' : 'ready'); // a compared run chosen
    else setStatus(start ? `ready (weights from ${start.name})` : 'ready');
    mapDirty = true;
    settleFrames = 2; // the new legend, numbers and network section are laid out before the first map is painted
    // The first drawings of the map (with its points' layer) and of the chart make their canvases' contexts and
    // buffers, the costliest drawing of each: each runs in a task of its own, outside the animation frames.
    await nextTask();
    if (trainer === t && mapDirty) frameJobs[1]();
    await nextTask();
    if (trainer === t && chartDirty) frameJobs[2](performance.now());
  }, (err) => {
    if (trainer !== t) return;
    setStatus('not started');
    showMessage(`Could not build this model: ${err.message}`, 'error');
  });
}

// What the map's colours and marks mean: one colour per class; filled points trained on, hollow ones held out.
function showLegend(classes) {
  const el = $('legend'), items = [];
  const dot = (color, hollow, text) => {
    const item = document.createElement('span'), mark = document.createElement('span');
    mark.className = 'dot';
    mark.style.borderColor = color;
    mark.style.background = hollow ? 'transparent' : color;
    item.append(mark, text);
    return item;
  };
  for (let k = 0; k < classes; k++) items.push(dot(classColor(k), false, `class ${k}`));
  if (!classes) items.push(dot(classColor(1), false, 'the points to fit'));
  const held = document.createElement('span');
  held.append('filled: trained on · hollow: ', Object.assign(document.createElement('span'), { textContent: 'held out' }),
    classes ? ' · background: the model\'s answer, paler where unsure' : ' · line: the model\'s answer');
  held.children[0].dataset.term = 'held-out';
  items.push(held);
  el.replaceChildren(...items);
  explainTerms(el);
}

function resetTrainingStats() {
  for (const id of ['stat-step', 'stat-epoch', 'stat-samples']) setStat(id, '0', 0);
  setStat('stat-flops', '0', 0);
  setStat('stat-wall', '0 s', 0);
  for (const id of ['stat-rate', 'stat-loss', 'stat-test-loss', 'stat-acc', 'stat-test-acc', 'stat-latency', 'stat-map']) {
    setStat(id, '–', NaN);
  }
}

let lastTestStep = -1;
function onProgress(p) {
  for (let i = 0; i < p.points.steps.length; i++) curves.train.push(p.points.steps[i], p.points.losses[i]);
  if (p.metricsStep !== lastTestStep && p.metricsStep >= 0 && Number.isFinite(p.testLoss)) {
    curves.test.push(p.metricsStep, p.testLoss);
    lastTestStep = p.metricsStep;
  }
  if (p.step === 0) { curves.train.clear(); curves.test.clear(); lastTestStep = -1; lowest.clear(); }
  if (trainer) lowest.consider(trainer);
  showOverfitting(overfitting(curves.train, curves.test));
  chartDirty = true;
  latestProgress = p;
  costs?.setTraining(trainingFromProgress(p));
}

// The hint under the chart when held-out loss climbs while training loss falls, with the way back to the weights
// of the lowest held-out loss (the snapshot `lowest` holds).
function showOverfitting(o) {
  const el = $('overfit'), best = lowest.best;
  const text = o ? `${overfittingText(o)}: fewer units, more points or more noise help.` : '';
  if (el.textContent !== text) el.textContent = text;
  $('overfit-box').hidden = !o;
  if (o) el.dataset.bestStep = String(o.bestStep);
  const button = $('stop-best');
  button.hidden = !o || !best;
  if (o && best) {
    const label = stopAtBestLabel(best);
    if (button.textContent !== label) button.textContent = label;
    button.dataset.step = String(best.step);
  }
  overfit = o;
}

const lowest = new BestHeldOut(); // the weights with the lowest held-out loss so far
let overfit = null; // what overfitting() last said

// Pauses and goes back to the kept weights: the worker, the map and the step count continue from there, and the
// curves lose what came after it.
async function stopAtBest(t) {
  const best = lowest.best;
  if (!best) return;
  pausedWhileHidden = false;
  await t.pause();
  await t.setWeights(best.weights, { step: best.step });
  cutCurve(curves.train, best.step);
  cutCurve(curves.test, best.step);
  lastTestStep = best.step;
  targetStep = best.step;
  showOverfitting(null);
  chartDirty = true;
  setStatus(`back at step ${best.step}, the lowest test loss (${best.loss.toFixed(3)}); paused`);
}

// A vertical line on the chart at the kept step while overfitting is shown: from the lowest to the highest loss.
function bestMark() {
  const best = lowest.best;
  if (!overfit || !best) return null;
  let lo = Infinity, hi = -Infinity;
  for (const c of [curves.train, curves.test]) for (const v of c.values) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const mark = new Series();
  mark.push(best.step, lo);
  mark.push(best.step, hi);
  return { series: mark, color: classColor(2), label: 'lowest held-out loss' };
}

// DOM text for the last progress, written from the frame loop at most ~10 times a second (layout is not free).
let latestProgress = null;
let statsAt = -Infinity;
function showProgress(now, force = false) {
  const p = latestProgress;
  if (!p || (!force && now - statsAt < 100)) return false;
  latestProgress = null;
  statsAt = now;
  setStat('stat-step', String(p.step), p.step);
  setStat('stat-epoch', String(p.epoch), p.epoch);
  setStat('stat-samples', si(p.samplesSeen), p.samplesSeen);
  setStat('stat-flops', si(p.flopsDone, 'FLOP'), p.flopsDone);
  setStat('stat-wall', `${(p.wallMs / 1000).toFixed(1)} s`, p.wallMs);
  setStat('stat-rate', si(p.samplesPerSec), p.samplesPerSec);
  showThreads($('stat-threads'), p.threads);
  setStat('stat-loss', fixed(p.loss), p.loss);
  setStat('stat-test-loss', fixed(p.testLoss), p.testLoss);
  setStat('stat-acc', pct(p.accuracy), p.accuracy);
  setStat('stat-test-acc', pct(p.testAccuracy), p.testAccuracy);
  // p may predate a worker's death (the frame loop shows it late): the Trainer knows whether it still runs.
  if (p.running && trainer?.running) setStatus('training…');
  return true;
}

// A run ends by itself after Steps per run steps (a forgotten tab does not train for ever); pressing Train after
// it ended asks for that many more.
async function startRun(t, pressed) {
  const step = t.progress?.step ?? 0;
  if (pressed && step >= targetStep) targetStep = step + config.steps;
  pausedWhileHidden = false;
  await t.start({ maxSteps: targetStep });
  setStatus('training…');
}

// A hidden tab pauses training and showing it again resumes the run.
function bindVisibility() {
  document.addEventListener('visibilitychange', () => {
    const t = trainer;
    if (!t) return;
    if (document.hidden && t.running) {
      pausedWhileHidden = true;
      t.pause().catch(() => {});
    } else if (!document.hidden && pausedWhileHidden) {
      startRun(t, false).catch((e) => { if (!/disposed/.test(e.message)) showMessage(e.message, 'error'); });
    }
    comparison.visibility(document.hidden);
  });
}

function bindControls() {
  const act = (fn) => () => {
    if (!trainer) return;
    // A request the worker's death cut short: the `error` event has said so already.
    fn(trainer).catch((e) => { if (!/disposed/.test(e.message) && e.name !== 'WorkerStoppedError') showMessage(e.message, 'error'); });
  };
  // Train, Pause, Step and Reset act on the compared runs too, so they stay comparable step for step.
  $('train').addEventListener('click', act(async (t) => {
    clearMessage();
    const others = comparison.startAll(true);
    await t.ready;
    await t.set({ lr: config.lr, batchSize: config.batchSize, pace: PACE[config.speed] }); // the form may have changed before ready
    await startRun(t, true);
    await others;
  }));
  $('pause').addEventListener('click', act((t) => {
    pausedWhileHidden = false;
    return Promise.all([t.pause(), comparison.pauseAll()]);
  }));
  $('stop-best').addEventListener('click', act(stopAtBest));
  $('step').addEventListener('click', act(async (t) => {
    const others = comparison.stepAll(STEP_BUTTON_STEPS);
    await t.ready;
    const r = await t.step(STEP_BUTTON_STEPS);
    showProgress(performance.now(), true);
    setStatus(`paused at step ${r.step}`);
    await others;
  }));
  $('reset').addEventListener('click', act(async (t) => {
    clearMessage();
    const others = comparison.resetAll();
    await t.reset({ seed: config.seed });
    targetStep = 0;
    showProgress(performance.now(), true);
    curves.train.clear();
    curves.test.clear();
    lastTestStep = -1;
    lowest.clear();
    showOverfitting(null);
    chartDirty = true;
    setStatus('reset');
    await others;
  }));
}

// ---- inference -----------------------------------------------------------------------------------------------

// Class probabilities (N, K) from a predictor's output for the configured loss (the compared runs share it).
function classProbs(out, n, K) {
  if (config.loss === 'cross_entropy') return out; // softmax applied by probabilities()
  const p = new Float32Array(n * K);
  for (let i = 0; i < n; i++) {
    if (config.loss === 'binary_cross_entropy') { p[2 * i] = 1 - out[i]; p[2 * i + 1] = out[i]; continue; }
    let s = 0; // mse on one-hot targets: clamp scores to [0, 1] and normalise
    for (let k = 0; k < K; k++) { const v = Math.min(1, Math.max(0, out[i * K + k])); p[i * K + k] = v; s += v; }
    for (let k = 0; k < K; k++) p[i * K + k] = s > 0 ? p[i * K + k] / s : 1 / K;
  }
  return p;
}

function runModel(x, predictor = trainer.predictor) {
  return config.loss === 'mse' ? predictor.predict(x) : predictor.probabilities(x);
}

// Time of one single-sample predict, in µs: the best of rounds of repeated calls (web/timing.js), measured at the
// centre of the plane at most once a second while the weights change. The cost depends on the network, not on the
// point or the weights, so the lowest reading since the network was built is the one shown: it only settles.
let lastLatencyAt = -Infinity;
function measureLatency(force = false) {
  const now = performance.now();
  if (!force && now - lastLatencyAt < 1000) return;
  lastLatencyAt = now;
  const x = new Float32Array(DATASETS[config.dataset].inputSize);
  const us = Math.min(microsecondsPerCall(() => runModel(x)), stats.latencyUs || Infinity);
  stats.latencyUs = us;
  setStat('stat-latency', formatMicroseconds(us), us);
}

// A map paint in progress: the weights it paints, the next grid row and the predict time so far. A decision map
// is painted in bands of rows, as many as fit the frame's budget, so a slow phone never gets one long task.
let mapJob = null;

function paintMap(deadline) {
  if (!(view instanceof DecisionMap)) { // a 1-D curve: a few hundred points at once
    const t0 = performance.now();
    view.paint(runModel(grid));
    return finishMap(grid.length, performance.now() - t0);
  }
  const res = view.res, K = points.classes;
  do {
    const t0 = performance.now(), from = mapJob.row, to = Math.min(res, from + MAP_BAND_ROWS);
    const out = runModel(grid.subarray(2 * res * from, 2 * res * to));
    mapJob.ms += performance.now() - t0;
    view.paint(classProbs(out, (to - from) * res, K), K, { firstRow: from, background: pageColors().background });
    mapJob.row = to;
  } while (mapJob.row < res && performance.now() < deadline);
  if (mapJob.row === res) finishMap(res * res, mapJob.ms);
}

function finishMap(n, ms) {
  mapJob = null;
  stats.paints++;
  stats.mapMs = ms;
  const each = ms > 0 ? formatMicroseconds((ms * 1000) / n) : `< ${formatMicroseconds((CLOCK_STEP_MS * 1000) / n)}`;
  setStat('stat-map', `${withCommas(n)} points in ${formatMeasuredMs(ms)} (${each} each)`, ms);
}

function describeProbe() {
  if (!probe || !points || !trainer?.predictor) return;
  const near = nearestPoint(view, probe[0], probe[1], [['train', points.x, points.y], ['test', points.testX, points.testY]]);
  const at = near ? near.x : view.toData(probe[0], probe[1]).slice(0, DATASETS[config.dataset].inputSize);
  const x = Float32Array.from(at);
  const out = runModel(x);
  if (!Number.isFinite(stats.latencyUs)) measureLatency(true);
  const us = stats.latencyUs;
  const where = `(${at.map((v) => v.toFixed(2)).join(', ')})`;
  const which = near ? `${near.set} point #${near.index} ${where}, label ${points.classes ? `class ${near.label}` : near.label.toFixed(3)}` : `point ${where}`;
  let answer;
  if (points.classes) {
    const p = classProbs(out, 1, points.classes);
    answer = Array.from(p, (v, k) => `class ${k}: ${(100 * v).toFixed(1)}%`).join(', ');
  } else {
    answer = `predicted value ${out[0].toFixed(4)}`;
  }
  $('probe').textContent = `${which} → ${answer} · ${formatMicroseconds(us)} per prediction`;
  $('probe').dataset.latencyUs = String(us);
}

function bindMap() {
  const canvas = $('map');
  const move = (e) => {
    const r = canvas.getBoundingClientRect();
    probe = [e.clientX - r.left, e.clientY - r.top];
    mapDirty = true;
    describeProbe();
  };
  canvas.addEventListener('pointermove', move);
  canvas.addEventListener('pointerdown', move);
  canvas.addEventListener('pointerleave', (e) => { if (e.pointerType === 'mouse') { probe = null; mapDirty = true; } });
  canvas.addEventListener('keydown', (e) => {
    const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    if (!d) return;
    e.preventDefault();
    const w = canvas.clientWidth, h = canvas.clientHeight;
    probe = probe || [w / 2, h / 2];
    probe = [Math.min(w, Math.max(0, probe[0] + d[0] * w * 0.02)), Math.min(h, Math.max(0, probe[1] + d[1] * h * 0.02))];
    mapDirty = true;
    describeProbe();
  });
}

// ---- weight files ---------------------------------------------------------------------------------------------

// The current snapshot as .safetensors, with the form's spec in its metadata.
async function downloadWeights() {
  const p = trainer?.predictor;
  if (!p || !points) throw new Error('No model to save yet: wait until the status says ready.');
  const spec = buildSpec(config);
  let bytes;
  if (JSON.stringify(p.spec) === JSON.stringify(spec)) {
    bytes = p.save();
  } else {
    // The learning rate changed live since this model was built: the file should say what the form says now.
    const m = await Model.create(spec);
    try {
      m.setWeights(p.getWeights());
      bytes = m.save();
    } finally {
      m.dispose();
    }
  }
  downloadBytes(bytes, `playground-${config.dataset}.safetensors`);
}

// A tinytrain file rebuilds the form from its spec (data settings stay) and starts the trainer and the map from
// its weights; a plain safetensors file must fit the current network. Any problem leaves the page as it was.
async function loadWeightsFile(file) {
  const m = await readModelFile(file, buildSpec(config));
  let next, weights;
  try {
    next = configFromSpec(m.spec, config);
    weights = m.getWeights(); // (paramCount) in the order the trainer uses
  } catch (err) {
    throw new Error(`${file.name}: this model does not fit the playground: ${err.message}`);
  } finally {
    m.dispose();
  }
  clearMessage();
  config = next.config;
  configChanged(false, true); // the form and the link now describe the file's model
  rebuild({ weights, name: file.name });
  if (next.ignored.length) {
    showMessage(`Loaded ${file.name}. The form has no place for ${next.ignored.join(', ')}; further training goes without.`);
  }
}

function bindWeights() {
  wireWeightsControls({
    downloadButton: $('download-weights'), onDownload: downloadWeights,
    input: $('load-weights'), dropZone: $('map'), onFile: loadWeightsFile,
    onError: (err) => showMessage(err.message, 'error'),
  });
}

// ---- compared runs ---------------------------------------------------------------------------------------------

// A compared run becomes the page's model: its worker, weights, curves and step budget carry on as the page's, the
// form and the link take its settings, and the page's model until now takes its place among the compared runs.
function useRun(run) {
  clearMessage();
  const before = { settings: runSettings(config), trainer, curves, targetStep };
  const chosen = run.release();
  config = runConfig(config, chosen.settings);
  adopt(chosen.trainer, { kept: chosen });
  run.take(before);
  configChanged(false, true); // the form and the link now describe the chosen run
}

// The chart's legend while runs are compared: a colour and a name per run, as text (and for screen readers, the
// chart's label). Rewritten only when the runs or their names change.
let chartLegendKey = '';
function showChartLegend(lines) {
  const key = JSON.stringify(lines.map((l) => [l.color, l.label]));
  if (key === chartLegendKey) return;
  chartLegendKey = key;
  const legend = $('chart-legend');
  legend.hidden = !lines.length;
  legend.replaceChildren(...lines.map(({ color, label }) => {
    const item = document.createElement('span'), mark = document.createElement('span');
    mark.className = 'swatch';
    mark.style.background = color;
    item.append(mark, label);
    return item;
  }));
  $('loss-chart').setAttribute('aria-label', lines.length
    ? `Training loss per logged step of each run: ${lines.map((l) => l.label).join('; ')}`
    : 'Loss curves: training loss per logged step and test loss');
}

// ---- the frame loop: repaint only what changed ---------------------------------------------------------------

function worst(name, since) {
  const ms = performance.now() - since;
  if (!(ms <= stats.worstMs[name])) stats.worstMs[name] = +ms.toFixed(2);
}

// With prefers-reduced-motion the map follows the weights once a second instead of every frame.
const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');
// The canvases are painted on the page's surface (palette.js): when the reader's colour scheme changes, the maps,
// the network drawing and the chart are painted again on the new one.
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
  drawnVersion = networkVersion = -1;
  chartDirty = mapDirty = true;
  comparison.repaint();
});
let mapPaintedAt = -Infinity;

// The page's work while training, cut into jobs a slow phone's frame has room for: a band of the map's rows (as
// many as fit FRAME_BUDGET_MS), the map drawn with its points, the chart, one column of the network's unit maps,
// the numbers. Each frame runs one job that has something to do, taking turns, so no frame holds two large ones
// and none waits long; a timing of one prediction, when due, has a frame of its own.
const frameJobs = [
  // the map's colours, in bands of rows
  (now) => {
    const due = drawnVersion < 0 || !reducedMotion.matches || now - mapPaintedAt >= 1000;
    if (!mapJob && trainer.weightsVersion !== drawnVersion && due) {
      drawnVersion = trainer.weightsVersion;
      mapPaintedAt = now;
      mapJob = { row: 0, ms: 0 };
    }
    if (!mapJob) return false;
    const t = performance.now(), firstPaint = view.rowsPainted < view.res;
    paintMap(t + FRAME_BUDGET_MS);
    if (!mapJob) latencyDue = true;
    // the first paint shows its bands as they come; later ones replace the whole map at once
    if (firstPaint || !mapJob) mapDirty = true;
    worst('predict', t);
    return true;
  },
  // the map on screen: the colours, the points, the reader's probe
  () => {
    if (!mapDirty) return false;
    const t = performance.now();
    view.render({ x: points.x, y: points.y, testX: points.testX, testY: points.testY, probe, colors: pageColors() });
    mapDirty = false;
    worst('render', t);
    return true;
  },
  // the chart, at most ~10 times a second: smooth enough, and a fraction of the work
  (now) => {
    if (!chartDirty || now - lastChartAt <= 100) return false;
    lastChartAt = now;
    const t = performance.now();
    // Compared runs: every run's training loss, named under the chart by how it differs (names too long for the
    // chart's own legend); alone: training and held-out loss.
    const lines = comparison.size ? [{ series: curves.train, color: RUN_COLORS[0], label: MAIN_NAME }, ...comparison.lines()]
      : [{ series: curves.train, color: classColor(1), label: 'training loss' },
        { series: curves.test, color: classColor(0), label: 'held-out loss' }, bestMark()].filter(Boolean);
    showChartLegend(comparison.size ? lines : []);
    drawLineChart($('loss-chart'), comparison.size ? lines.map((l) => ({ ...l, label: '' })) : lines,
      { empty: 'press Train', colors: pageColors() });
    chartDirty = false;
    worst('chart', t);
    return true;
  },
  // the network drawing: a few times a second (once with reduced motion), a column of unit maps at a time
  (now) => {
    const due = now - networkAt >= (reducedMotion.matches ? 1000 : 250);
    if (!networkJob && network.layers.length && trainer.weightsVersion !== networkVersion && due &&
        !$('network-section').hidden) {
      networkVersion = trainer.weightsVersion;
      networkAt = now;
      const predictor = trainer.predictor;
      networkJob = network.updating(predictor.getWeights(), (g) => predictor.predict(g), pageColors());
    }
    if (!networkJob) return false;
    const t = performance.now();
    if (networkJob.next().done) networkJob = null;
    worst('network', t);
    return true;
  },
  // the numbers, ~10 times a second
  (now) => showProgress(now),
];
let nextJob = 0;
let settleFrames = 0; // frames left to the page's layout alone

function frame(now) {
  const t0 = performance.now();
  if (settleFrames > 0) {
    settleFrames--;
  } else if (trainer?.predictor && points) {
    if (latencyDue) {
      latencyDue = false;
      if (probe) describeProbe();
      else measureLatency();
    } else {
      for (let i = 0; i < frameJobs.length; i++) {
        const job = (nextJob + i) % frameJobs.length;
        if (frameJobs[job](now)) {
          nextJob = job + 1;
          break;
        }
      }
    }
  } else {
    showProgress(now);
  }
  // the compared runs' small maps and numbers, in what is left of the frame (or when overdue)
  const compared = performance.now();
  comparison.frame(now, t0 + FRAME_BUDGET_MS);
  worst('compare', compared);
  stats.frames++;
  worst('frame', t0);
  requestAnimationFrame(frame);
}

// For tests and the curious: read-only views of the live state.
window.playground = Object.freeze({
  get trainer() { return trainer; },
  get config() { return cloneConfig(config); },
  get losses() { return { steps: [...curves.train.steps], values: [...curves.train.values] }; },
  get best() { return lowest.best && { step: lowest.best.step, loss: lowest.best.loss }; },
  get network() {
    return { updates: network.updates, columns: network.layers.map((c) => c.units), box: (c, k) => network.unitBox([c, k]) };
  },
  get stats() { return { ...stats, worstMs: { ...stats.worstMs } }; },
  // the compared runs: name, settings, the link that opens the run alone, and its trainer
  get runs() {
    return comparison.runs.map((r) => Object.freeze({
      name: r.name, settings: r.settings, link: `#${toHash(r.config)}`, trainer: r.trainer, status: r.status,
      paints: r.card.paints, losses: { steps: [...r.curves.train.steps], values: [...r.curves.train.values] },
    }));
  },
  get mainCard() { return { paints: comparison.mainCard.paints };
  },
});

// The page's own models (the predictor, weight files) are capped like the worker's: a hostile file is refused with
// the size it asks for instead of growing this tab's memory by gigabytes.
Model.setMemoryLimit(DEFAULT_MEMORY_LIMIT);
// Start-up in a few tasks (a phone's main thread gets no long one): after the task that parsed the page, the
// compared runs' section, the form, then the terms' explanations and the cost panel (below the first screen), then
// the model.
let costs = null;
await nextTask();
const comparison = new Comparison($('compare-section'), {
  config: () => config,
  points: () => points,
  main: () => ({ trainer }),
  probabilities: (predictor, x, n, K) => (K ? classProbs(runModel(x, predictor), n, K) : runModel(x, predictor)),
  showMessage,
  chartChanged: () => { chartDirty = true; },
  runsChanged: () => {
    window.history.replaceState(null, '', `#${toHash(config, comparison.settings())}`);
    chartDirty = true;
  },
  use: useRun,
});
await nextTask();
const runs = loadFromHash();
bindForm();
bindControls();
bindMap();
bindWeights();
bindVisibility();
await nextTask();
explainTerms();
await nextTask();
costs = new CostPanel(document.getElementById('costs'));
showLater(costs.element.querySelectorAll(':scope > *, .costs-grid > *')); // laid out a part a frame
await nextTask();
rebuild(null, runs);
requestAnimationFrame(frame);

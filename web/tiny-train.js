// <tiny-train demo="circles" layers="16 tanh, 16 tanh" autoplay></tiny-train>: a model the reader trains, then
// uses, in a documentation page (README "Embed in your docs": attributes, events, CSP). Training runs in the
// widget's own worker (a Trainer), paused while out of view; inference runs on the page on the latest snapshot.
// A bad attribute shows a message in the widget; nothing is thrown into the host page.
import { Trainer, DEFAULT_MEMORY_LIMIT } from './runtime/trainer.js';
import { PACE } from './runtime/protocol.js';
import { makeDataset } from './datasets.js';
import { Model } from '../wasm/tinytrain.js';
import { readConfig, buildSpec, ATTRIBUTES, KNOBS } from './widget/config.js';
import { HTML, CSS } from './widget/style.js';
import { Series, drawLineChart } from './views/chart.js';
import { DecisionMap } from './views/map.js';
import { classColor } from './views/palette.js';
import { microsecondsPerCall, formatMicroseconds, nextTask } from './timing.js';
import { startWorker } from './runtime/start-worker.js';
// What the modules above import, listed here too: a browser loading these files one by one then asks for them in
// the same round trip as the rest, not one round trip later.
import '../wasm/fetch-module.js';
import './models.js';
import './layer-types.js';

export { Trainer }; // for pages that train a model of their own beside the widgets

const CHOICES = { lr: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1], 'batch-size': [1, 8, 16, 32, 64, 128], speed: ['watch', 'fast'] };
const LIVE = { lr: 'lr', 'batch-size': 'batchSize', speed: 'pace' }; // attribute -> Trainer.set() name: changed without a rebuild
// The attributes that rebuild the model and its data when they change.
const REBUILD = ['demo', 'layers', 'optimizer', 'seed', 'src', 'data', 'corpus', 'size', 'tokenizer', 'panels'];
// The canvases' colours, those of the panels they sit on (style.js's --panel, --mute, --line, --fg).
const SURFACES = {
  light: { background: '#f6f8fa', text: '#59636e', grid: '#d1d9e0', ink: '#1f2328' },
  dark: { background: '#151b23', text: '#9198a1', grid: '#3d444d', ink: '#e6edf3' },
};
const MAP_RESOLUTION = 64;
const MAP_BAND_ROWS = 8; // the first paint of the map, in bands: on cold code all rows at once make a long task
const POINT_RADIUS = 2.6;

const formatNumber = (v) => (Number.isFinite(v) ? v.toFixed(3) : '–');
const formatPercent = (v) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '–');
// 12,345 without toLocaleString: its first call loads ICU's locale data, a 20-40 ms task at the first step.
const withCommas = (n) => String(n).replace(/\B(?=(\d{3})+$)/g, ',');

let sharedSheet, sharedTemplate; // shared by every widget on the page
let widgetsCreated = 0;           // numbers the widgets of a page, for region names a screen reader can tell apart
let pageDrawnAt;                  // the animation frame in which a widget of the page last drew

// Outside a browser (a server-side renderer or a bundler importing every module in Node) there is no HTMLElement:
// the class is then defined over Object and never registered, so importing this module has no effect.
export class TinyTrain extends (globalThis.HTMLElement ?? Object) {
  static observedAttributes = ATTRIBUTES;

  #elements = {};         // the shadow DOM's elements by their first class name
  #config;                // the checked attributes (widget/config.js)
  #trainer = null;
  #early = null;          // the next Trainer's worker, started ahead of it
  #fileModel = null;      // the model of a .safetensors `src`, which predicts until the worker is up
  #model = null;          // what predicts now: the file's model, then the Trainer's predictor
  #data = null;           // {x, y, testX, testY, features, classes, domain, ...}: built-in, CSV or digits
  #view = null;           // DecisionMap (2 features), FunctionPlot (1 feature, views/plot.js) or null
  #fileWeights = null;    // the file's weights, which Reset goes back to
  #lastProgress = null;
  #probe = null;          // the reader's input
  #visibility = null;     // IntersectionObserver
  #colors = SURFACES.light;
  #wantsTraining = false; // the reader pressed Train (or autoplay)
  #inView = false;
  #targetStep = 0;
  #generation = 0;        // bumped by every rebuild: answers for an older one are dropped
  #pending = Promise.resolve(); // requests to the Trainer, one after another
  #attributesQueued = false;
  #frame = 0;
  #drawnAt = -1e9;
  #dirty = new Set();     // 'chart', 'map'
  #darkScheme = matchMedia('(prefers-color-scheme: dark)');
  #lossSeries = new Series(1200);
  #testSeries = new Series(1200);
  #lastTestStep = -1;
  #number = ++widgetsCreated;
  #onChange = () => { // visibilitychange, colour scheme change
    this.#sync();
    this.#applyTheme();
  };

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    if (!sharedTemplate) {
      sharedTemplate = document.createElement('template');
      sharedTemplate.innerHTML = HTML; // a constant: no attribute value is ever parsed as HTML
      sharedSheet = new CSSStyleSheet();
      sharedSheet.replaceSync(CSS); // adopted: no style-src needed
    }
    root.adoptedStyleSheets = [sharedSheet];
    root.append(sharedTemplate.content.cloneNode(true));
    const elements = this.#elements;
    for (const element of root.querySelectorAll('[class]')) elements[element.classList[0]] ??= element;
    // Handlers report failures in the widget instead of throwing into the page.
    const on = (element, type, handler) => element.addEventListener(type, (event) => {
      try {
        handler(event);
      } catch (err) {
        this.#fail(err.message);
      }
    });
    on(elements.go, 'click', () => {
      const step = this.#trainer?.progress?.step ?? 0;
      if (!this.#wantsTraining && step >= this.#targetStep) this.#targetStep = step + this.#config.steps; // another run
      this.#wantsTraining = !this.#wantsTraining;
      this.#sync();
    });
    on(elements.step, 'click', () => this.#queue(async (trainer) => {
      this.#wantsTraining = false;
      this.#targetStep = Math.max(this.#targetStep, (await trainer.step(10)).step);
    }));
    on(elements.reset, 'click', () => this.#queue(async (trainer) => {
      this.#wantsTraining = false;
      this.#targetStep = this.#config.steps;
      await trainer.reset({ seed: this.#config.seed });
      if (this.#fileWeights) await trainer.setWeights(this.#fileWeights); // back to the file's weights
      this.#say(`Reset to ${this.#fileWeights ? 'the pretrained' : 'new random'} weights.`);
    }));
    for (const knob of KNOBS) {
      on(elements[knob].lastChild, 'change', ({ target }) => this.#setLive(knob, knob === 'speed' ? target.value : Number(target.value)));
    }
    // The map's legend, plain words for the terms and the overfitting hint (widget/teach.js): loaded on demand, at
    // the first pointer move, focus or progress, with the class colours and the loss curves they read (it then
    // removes these listeners).
    const teach = () => import('./widget/teach.js').then((m) => m.teach(this, teach, classColor, this.#lossSeries, this.#testSeries));
    for (const type of ['pointermove', 'focus', 'progress']) this.addEventListener(type, teach);
    const probe = (event) => {
      if (event.buttons || event.pointerType === 'mouse') this.#ask(this.#view?.toData(event.offsetX, event.offsetY));
    };
    on(elements.map, 'pointermove', probe);
    on(elements.map, 'pointerdown', probe);
    on(elements.inputs, 'input', () => {
      const values = [...elements.inputs.querySelectorAll('input')].map((input) => Number(input.value));
      if (values.every(Number.isFinite)) this.#ask(values);
    });
  }

  // Each widget of a page starts in a task of its own (not in the one that evaluates the page's modules, which
  // upgrades them all), and shows its markup in a frame of its own (#redraw).
  connectedCallback() {
    nextTask().then(() => {
      if (!this.isConnected || this.#config) return; // gone again, or started already
      // The page's models (a src file, the predictor) get the worker's cap unless the host page chose its own: a
      // hostile file is then refused with the size it asks for instead of growing the tab's memory by gigabytes.
      if (!Model.memoryLimit) Model.setMemoryLimit(DEFAULT_MEMORY_LIMIT);
      this.#visibility = new IntersectionObserver((entries) => {
        this.#inView = entries.at(-1).isIntersecting;
        this.#sync();
      });
      this.#visibility.observe(this);
      document.addEventListener('visibilitychange', this.#onChange);
      this.#darkScheme.addEventListener('change', this.#onChange);
      // Each widget's regions get their own names: the `label` attribute ("Training: your model"), or the widget's
      // number on the page, so two widgets do not both offer a region called "Training".
      const name = this.getAttribute('label')?.trim() || `widget ${this.#number}`;
      this.#elements.training.setAttribute('aria-label', `Training: ${name}`);
      this.#elements.inference.setAttribute('aria-label', `Inference: ${name}`);
      this.#build();
    });
  }

  disconnectedCallback() {
    this.#config = null; // started again when connected again
    this.#visibility?.disconnect();
    document.removeEventListener('visibilitychange', this.#onChange);
    this.#darkScheme.removeEventListener('change', this.#onChange);
    this.#dispose();
    // A host may keep the element (MkDocs Material keeps every page its instant navigation swaps out): the
    // canvases' pixels and the curves go now.
    for (const canvas of this.shadowRoot.querySelectorAll('canvas')) canvas.width = 0;
    this.#clearCurves();
  }

  attributeChangedCallback() {
    if (!this.#config || this.#attributesQueued) return; // before the widget starts: it reads them all then
    this.#attributesQueued = true; // attributes set one after another apply once
    queueMicrotask(() => {
      this.#attributesQueued = false;
      const old = this.#config;
      const config = this.#readAttributes();
      const same = (key) => JSON.stringify(config[key]) === JSON.stringify(old[key]);
      if (!REBUILD.every(same)) {
        this.#build(false);
        return;
      }
      for (const knob of KNOBS) if (!same(knob)) this.#setLive(knob, config[knob]);
      if (!same('steps')) this.#targetStep = (this.#trainer?.progress?.step ?? 0) + config.steps;
      this.#wantsTraining ||= config.autoplay && !old.autoplay;
      this.#applyTheme();
      this.#showKnobs();
      this.#sync();
    });
  }

  get trainer() { return this.#trainer; } // for pages that want more than the attributes

  #readAttributes() {
    const { config, problems } = readConfig((name) => this.getAttribute(name));
    this.#config = config;
    this.#showMessage(problems.length ? `${problems.join('; ')}. Using the default instead.` : '');
    if (problems.length) this.#emit('error', { message: problems.join('; '), kind: 'attribute' });
    return config;
  }

  // Ends the worker and frees the models; what an older build still awaits is dropped (#generation).
  #dispose() {
    this.#generation++;
    this.#trainer?.dispose();
    this.#fileModel?.dispose();
    this.#early?.terminate();
    this.#trainer = this.#early = this.#fileModel = this.#model = this.#data = this.#view = null;
  }

  // Data (built-in, CSV or digits) and model (new, or a .safetensors file's) from the attributes, then a Trainer.
  async #build(read = true) {
    this.#dispose();
    const generation = this.#generation;
    const config = read ? this.#readAttributes() : this.#config;
    this.#wantsTraining = false;
    this.#targetStep = config.steps;
    this.#clearCurves();
    this.#lastProgress = null;
    this.#applyTheme();
    this.#enableButtons(false);
    this.#showKnobs(); // before the widget's first layout: which knobs show changes its height
    this.#say('Loading…');
    try {
      // The Trainer's worker starts now, to load its modules and wasm while the page makes the data. What it says
      // before the Trainer listens is nothing the Trainer waits for; if it fails to start, the Trainer makes another.
      const early = this.#early = startWorker();
      early.onerror = () => { if (this.#early === early) this.#early = null; };
      await nextTask(); // the data and the Trainer come in tasks after the one that shows the markup
      // panels="costs": the cost panel, loaded on demand (it follows this build of the widget, then leaves)
      if (config.panels) (await import('./widget/costs.js')).mountCosts(this);
      let data, fileModel;
      if ((config.src && config.demo !== 'text') || /\.safetensors$/i.test(config.src)) {
        const { loadSource } = await import('./widget/source.js'); // a CSV or a weights file, loaded only for src
        ({ data, fileModel } = await loadSource(config.src, config.seed));
      }
      if (!data && config.demo === 'digits') { // MNIST: the pad and bars, loaded only for this demo
        const { digits } = await import('./widget/digits.js');
        data = digits(config, new URL('data/', import.meta.url));
      }
      if (!data && config.demo === 'text') { // a GPT: the tokenizer, prefix box and samples, loaded only for this demo
        const { text } = await import('./widget/text.js');
        data = await text(config, new URL('data/', import.meta.url));
      }
      if (!data) {
        const d = makeDataset(config.demo, { seed: 1, testFraction: 0.3 }); // seeded: every reader sees the same points
        data = { ...d, features: d.inputSize, domain: [d.domain, d.classes ? d.domain : [-1.3, 1.3]] };
      }
      await nextTask(); // the Trainer (and its predictor) in a task after the data's
      if (generation !== this.#generation) {
        fileModel?.dispose();
        return;
      }
      this.#fileModel = this.#model = fileModel ?? null;
      if (fileModel && fileModel.inputSize !== data.features) {
        throw new Error(`src: ${config.src} takes ${fileModel.inputSize} inputs but demo "${config.demo}" has ${data.features}`);
      }
      this.#data = data;
      this.#fileWeights = fileModel?.getWeights() ?? null;
      const spec = fileModel ? fileModel.spec : data.spec ?? buildSpec(config, data.features, data.classes);
      const feed = data.feed ?? { x: data.x, y: data.y, testX: data.testX, testY: data.testY };
      // The Trainer starts as soon as its data exists, with the worker started early (a new one after a death, on the
      // threads the Trainer asks for). The element's own Model class for the predictor: the Trainer need not import
      // the Model API again.
      const trainer = this.#trainer = new Trainer(spec, feed, { Model, batchSize: config['batch-size'], pace: PACE[config.speed], ...data.opts,
        createWorker: (threads) => { const worker = this.#early ?? startWorker(threads); this.#early = worker.onerror = null; return worker; } });
      this.#listen(trainer, generation);
      // a regression's curve (demo="sine"): its view, loaded only for such data
      const Plot = data.features === 1 && !data.classes && (await import('./views/plot.js')).FunctionPlot;
      await nextTask();
      if (generation !== this.#generation) return;
      this.#makeInputs(Plot);
      if (fileModel) this.#emit('ready', { pretrained: true }); // predicting already, before the worker is up
      await trainer.ready;
      if (fileModel) await trainer.setWeights(this.#fileWeights);
      if (generation !== this.#generation) return;
      this.#model = trainer.predictor; // from now on predictions follow training
      if (!fileModel) this.#emit('ready', { pretrained: false });
      this.#enableButtons(true);
      this.#say(fileModel ? 'Pretrained weights: predicting now.' : 'Ready: press Train.');
      this.#wantsTraining = config.autoplay;
      this.#sync();
      this.#ask(this.#probe, true, false);
      requestAnimationFrame(() => this.#redraw('map')); // draws the view too, a frame later (#makeInputs)
    } catch (err) {
      if (generation === this.#generation) {
        this.#fail(err.message);
        this.#say('Not ready.');
        this.#elements.root.hidden = false; // what went wrong, shown
      }
    }
  }

  #listen(trainer, generation) {
    const on = (type, handler) => trainer.addEventListener(type, (event) => {
      if (generation === this.#generation) handler(event.detail);
    });
    on('preparing', ({ phase }) => this.#say(`Preparing the text: ${phase}…`)); // demo="text"'s tokenizing
    on('progress', (progress) => {
      if (progress.step === 0) this.#clearCurves();
      progress.points.steps.forEach((step, i) => this.#lossSeries.push(step, progress.points.losses[i]));
      if (progress.metricsStep !== this.#lastTestStep) {
        this.#testSeries.push(progress.metricsStep, progress.testLoss);
        this.#lastTestStep = progress.metricsStep;
      }
      this.#lastProgress = progress;
      this.#redraw('chart');
      this.#emit('progress', progress);
    });
    on('snapshot', (snapshot) => {
      if (this.#model !== trainer.predictor) return; // fresh weights, about to be replaced by the file's
      this.#redraw('map');
      this.#emit('snapshot', snapshot);
    });
    on('stopped', ({ reason, step }) => {
      const last = this.#lastProgress || {};
      const pausedForUs = this.#wantsTraining && reason === 'paused'; // out of view or hidden tab
      this.#wantsTraining = pausedForUs;
      this.#enableButtons(true);
      if (reason === 'reset') return;
      if (pausedForUs) {
        this.#say(`Paused at step ${step} while out of view.`);
        return;
      }
      const score = this.#data.classes ? `accuracy ${formatPercent(last.testAccuracy)}.` : `loss ${formatNumber(last.testLoss)}.`;
      this.#say(`${reason === 'finished' ? 'Finished' : 'Stopped'} at step ${step}; test ${score}`);
      if (reason !== 'diverged') {
        this.#emit('trained', {
          reason, step, loss: last.loss, accuracy: last.accuracy, testAccuracy: last.testAccuracy, samplesSeen: last.samplesSeen,
        });
      }
    });
    on('error', (detail) => {
      if (detail.kind === 'init') return; // #build reports it
      if (!detail.fatal) {
        return this.#fail(detail.kind === 'diverged'
          ? `Training stopped: ${detail.message}. Predictions keep the last good weights; try a smaller learning rate.`
          : detail.message, detail.kind);
      }
      this.#wantsTraining = false;
      if (trainer.failed) { // given up: no worker any more
        this.#enableButtons(false);
        this.#say('Training stopped: its worker keeps failing.');
        return this.#fail(`Training stopped: ${detail.message}. Predictions keep the last good weights.`, 'fatal', { restarting: false });
      }
      this.#enableButtons(true);
      this.#say('The training worker failed; restarting it from the last snapshot…');
      this.#fail(`The training worker failed (${detail.message}); it restarts from the last snapshot, paused.`, 'fatal',
        { restarting: detail.restarting });
    });
    on('restarted', ({ step }) => {
      this.#wantsTraining = false;
      this.#enableButtons(true);
      this.#say(`Restarted at step ${step}; paused.`);
    });
  }

  #clearCurves() {
    this.#lossSeries.clear();
    this.#testSeries.clear();
    this.#lastTestStep = -1;
  }

  // Requests to the Trainer, one after another; a failure becomes a message, except for a request the worker's
  // death cut short: the Trainer's `error` has been shown.
  #queue(request) {
    this.#pending = this.#pending
      .then(() => this.#trainer && request(this.#trainer))
      .catch((err) => err.name === 'WorkerStoppedError' || this.#fail(err.message))
      .then(() => this.#enableButtons(!!this.#trainer?.info && !this.#trainer.failed));
  }

  // Trains while the reader wants it and the widget can be seen.
  #sync() {
    this.#queue(async (trainer) => {
      if (!trainer.info || trainer.failed || this.#model !== trainer.predictor) return;
      const run = this.#wantsTraining && this.#inView && !document.hidden;
      if (run && !trainer.running) {
        await trainer.start({ maxSteps: this.#targetStep });
        this.#say(`Training until step ${this.#targetStep}…`);
      } else if (!run && trainer.running) {
        await trainer.pause();
      }
    });
  }

  #setLive(knob, value) {
    this.#config[knob] = value;
    this.#trainer?.set({ [LIVE[knob]]: PACE[value] ?? value }).catch((err) => this.#fail(err.message));
  }

  // Repaints in an animation frame, at most 20 times a second (once a second with prefers-reduced-motion). The
  // widget's first frame, once it has its data and inputs, shows its markup (hidden until then): its first layout,
  // at its full size, in a frame of its own too.
  #redraw(kind) {
    if (kind) this.#dirty.add(kind);
    this.#frame ||= requestAnimationFrame((now) => {
      this.#frame = 0;
      const { root } = this.#elements;
      if (!this.#data) return;
      const interval = matchMedia('(prefers-reduced-motion: reduce)').matches ? 1000 : 50;
      // the bands of the map's first paint come one a frame at any pace: a half-painted map is no calmer
      const firstPaint = this.#dirty.has('map') && this.#view && this.#view.rowsPainted < this.#view.res;
      // one widget of the page draws in a frame, the others in the next ones (an article may have five)
      if ((now - this.#drawnAt < interval && !firstPaint) || now === pageDrawnAt) {
        this.#redraw();
        return;
      }
      this.#drawnAt = pageDrawnAt = now;
      // the widget's first frame lays its markup out alone; then one view a frame, the one waiting longest: the chart
      // and the map together would not fit a phone's frame
      const [kind] = this.#dirty;
      if (root.hidden) root.hidden = false;
      else if (this.#dirty.delete(kind) && kind === 'chart') this.#drawChart();
      else if (kind) this.#paintMap();
      if (this.#dirty.size) this.#redraw();
    });
  }

  // The canvas first: it reads its size, which the words after it would otherwise make the browser lay out for.
  #drawChart() {
    const progress = this.#lastProgress, elements = this.#elements;
    drawLineChart(elements.chart, [
      { series: this.#lossSeries, color: classColor(1), label: 'training loss' },
      { series: this.#testSeries, color: classColor(0), label: 'test loss' },
    ], { colors: this.#colors, empty: 'the loss appears here while training' });
    if (progress) {
      elements['s-step'].textContent = progress.step;
      elements['s-loss'].textContent = formatNumber(progress.loss);
      elements['s-acc'].textContent = this.#data.classes ? formatPercent(progress.testAccuracy) : formatNumber(progress.testLoss);
      elements['s-rate'].textContent = withCommas(Math.round(progress.samplesPerSec || 0));
      elements.done.value = progress.step / this.#targetStep;
    }
  }

  // One batched predict over the view's grid, then the reader's input again with the new weights. The map's first
  // paint comes in bands of rows, one a frame.
  #paintMap() {
    const model = this.#model, view = this.#view, classes = this.#data.classes;
    this.#data.refresh?.(model); // text: the next-token bars and samples
    if (model && view && !classes) {
      view.paint(model.predict(view.gridInputs()));
    } else if (model && view) {
      const grid = view.gridInputs(), res = view.res, firstPaint = view.rowsPainted < res;
      const fromRow = firstPaint ? view.rowsPainted : 0;
      const toRow = firstPaint ? Math.min(res, fromRow + MAP_BAND_ROWS) : res;
      const probabilities = model.probabilities(grid.subarray(2 * res * fromRow, 2 * res * toRow));
      view.paint(probabilities, classes, { background: this.#colors.background, firstRow: fromRow });
      // the next band; after the last one, a whole paint: a snapshot may have come while the bands were painted
      if (firstPaint) this.#redraw('map');
    }
    this.#ask(this.#probe, false);
  }

  // The inference panel: a view (a map for 2 features, a curve for 1) and one number input per feature, starting at
  // the first test sample; or the data's own panel (digits: the pad and bars).
  #makeInputs(Plot) {
    const data = this.#data, elements = this.#elements;
    const drawable = data.features === (data.classes ? 2 : 1);
    const options = { resolution: MAP_RESOLUTION, pointRadius: POINT_RADIUS };
    if (!drawable) this.#view = null;
    else if (data.classes) this.#view = new DecisionMap(elements.map, { ...options, domain: data.domain });
    else this.#view = new Plot(elements.map, { ...options, domain: data.domain[0], yDomain: data.domain[1] });
    elements.map.hidden = !drawable;
    // The first draw (canvas context) in a frame, not in the page's load task; and a frame after the next one, which
    // lays out what this task changed: a drawing frame reads the canvas's size, which would make it lay that out too
    // (both in one frame are a long task on a phone). The widget's first frame shows its markup, inputs included.
    requestAnimationFrame(() => this.#redraw('map'));
    if (data.mount) {
      data.mount(elements, (x) => {
        if (x) this.#ask(x);
        else this.#probe = null;
      }, (type, detail) => this.#emit(type, detail));
      return;
    }
    elements.inputs.replaceChildren(...Array.from({ length: data.features }, (_, k) => {
      const label = document.createElement('label');
      label.append(`x${k + 1} `, Object.assign(document.createElement('input'), { type: 'number', step: 'any' }));
      return label;
    }));
    this.#ask(Array.from(data.testX.subarray(0, data.features)), true, false);
    this.#view?.gridInputs(); // made here: the first map frame has enough to do
  }

  // The model's answer for the reader's input and, when timed (the reader moved it), how long predict() took;
  // draw: the view now (false when a #paintMap frame is due).
  #ask(input, timed = true, draw = true) {
    const model = this.#model, data = this.#data, elements = this.#elements;
    if (!input || !data) return;
    const values = this.#probe = input.slice(0, data.features);
    elements.inputs.querySelectorAll('input').forEach((field, k) => {
      if (Number(field.value) !== values[k]) field.value = +values[k].toFixed(3);
    });
    const x = Float32Array.from(values), run = () => (data.classes ? model.probabilities(x) : model.predict(x));
    const output = model && run();
    // the view before the words, as #drawChart
    if (draw && this.#view) {
      const point = data.classes ? values : output && [values[0], output[0]];
      this.#view.render({ ...data, probe: point && this.#view.toCanvas(...point), colors: this.#colors });
    }
    if (model) {
      data.show?.(output); // digits: the bars
      // how long predict() takes: the best of 3 rounds of >= 0.6 ms of calls (timing.js)
      if (timed) elements.lat.textContent = `in ${formatMicroseconds(microsecondsPerCall(run, { rounds: 3, roundMs: 0.6 }))}`;
      if (data.classes) {
        const best = output.indexOf(Math.max(...output));
        const swatch = document.createElement('span');
        swatch.className = 'sw';
        swatch.style.background = classColor(best); // CSSOM: allowed under a strict style-src
        elements.out.replaceChildren(swatch, `class ${best} (${formatPercent(output[best])})`);
      } else {
        elements.out.textContent = `y = ${formatNumber(output[0])}`;
      }
    }
  }

  #applyTheme() {
    const theme = this.#config.theme;
    const dark = theme === 'dark' || (theme === 'auto' && this.#darkScheme.matches);
    this.#elements.root.classList.toggle('dark', dark);
    this.#colors = dark ? SURFACES.dark : SURFACES.light;
    this.#redraw('chart');
    this.#redraw('map');
  }

  #showKnobs() {
    for (const knob of KNOBS) {
      const select = this.#elements[knob].lastChild, value = this.#config[knob];
      const options = [...new Set([...CHOICES[knob], value])].sort((a, b) => a - b);
      select.replaceChildren(...options.map((option) => new Option(option, option)));
      select.value = value;
      this.#elements[knob].hidden = !this.#config.controls.includes(knob);
    }
  }

  #enableButtons(ready) {
    this.#elements.go.textContent = this.#wantsTraining ? 'Pause' : 'Train';
    for (const button of [this.#elements.go, this.#elements.step, this.#elements.reset]) button.disabled = !ready;
  }

  #say(text) { this.#elements.status.textContent = text; } // the aria-live status

  #showMessage(text) {
    this.#elements.msg.textContent = text; // textContent: messages quote attribute values
    this.#elements.msg.hidden = !text;
  }

  #fail(message, kind = 'error', more = {}) {
    this.#showMessage(message);
    this.#emit('error', { message, kind, ...more });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

if (!globalThis.customElements?.get('tiny-train')) globalThis.customElements?.define('tiny-train', TinyTrain);

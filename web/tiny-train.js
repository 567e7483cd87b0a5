// <tiny-train demo="circles" layers="16 tanh, 16 tanh" autoplay></tiny-train>: a model the reader trains, then
// uses, in a documentation page (README "Embed in your docs": attributes, events, CSP). Training runs in the
// widget's own worker (a Trainer), paused while out of view; inference runs on the page on the latest snapshot.
// A bad attribute shows a message in the widget; nothing is thrown into the host page.
import { Trainer, DEFAULT_MEMORY_LIMIT } from './trainer.js';
import { makeDataset } from './datasets.js';
import { Model } from '../wasm/tinytrain.js';
import { readConfig, buildSpec, ATTRIBUTES, KNOBS, LIMITS } from './widget/config.js';
import { Plane, COLORS } from './widget/plane.js';
import { Line, plot } from './widget/chart.js';
import { HTML, CSS } from './widget/style.js';

const CHOICES = { lr: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1], 'batch-size': [1, 8, 16, 32, 64, 128] };
const LIVE = { lr: 'lr', 'batch-size': 'batchSize' }; // attribute -> Trainer.set() name: changed without a rebuild
const fmt = (v) => (Number.isFinite(v) ? v.toFixed(3) : '–');
const pct = (v) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '–');
// 12,345 without toLocaleString: its first call loads ICU's locale data, a 20-40 ms task at the first step.
const sep = (n) => String(n).replace(/\B(?=(\d{3})+$)/g, ',');
let sheet, template; // shared by every widget on the page

export class TinyTrain extends HTMLElement {
  static observedAttributes = ATTRIBUTES;
  #e = {}; #c; #t; #own; #model; #data; #plane; #fileWeights; #last; #probe; #io; #col;
  #want = false; #seen = false; #target = 0; #gen = 0; #op = Promise.resolve(); #queued = false; #frame = 0;
  #drawnAt = -1e9; #dirty = new Set(); #dark = matchMedia('(prefers-color-scheme: dark)');
  #loss = new Line('training loss', COLORS[1]); #test = new Line('test loss', COLORS[0]);
  #onChange = () => { this.#sync(); this.#theme(); }; // visibilitychange, colour scheme change

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    if (!template) {
      template = document.createElement('template');
      template.innerHTML = HTML; // a constant: no attribute value is ever parsed as HTML
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS); // adopted: no style-src needed
    }
    root.adoptedStyleSheets = [sheet];
    root.append(template.content.cloneNode(true));
    const e = this.#e;
    for (const el of root.querySelectorAll('[class]')) e[el.classList[0]] ??= el;
    const on = (el, type, fn) => el.addEventListener(type, (ev) => { try { fn(ev); } catch (err) { this.#fail(err.message); } });
    on(e.go, 'click', () => {
      const step = this.#t?.progress?.step ?? 0;
      if (!this.#want && step >= this.#target) this.#target = step + this.#c.steps; // another run
      this.#want = !this.#want;
      this.#sync();
    });
    on(e.step, 'click', () => this.#queue(async (t) => {
      this.#want = false;
      this.#target = Math.max(this.#target, (await t.step(10)).step);
    }));
    on(e.reset, 'click', () => this.#queue(async (t) => {
      this.#want = false;
      this.#target = this.#c.steps;
      await t.reset({ seed: this.#c.seed });
      if (this.#fileWeights) await t.setWeights(this.#fileWeights); // back to the file's weights
      this.#say(`Reset to ${this.#fileWeights ? 'the pretrained' : 'new random'} weights.`);
    }));
    for (const k of KNOBS) on(e[k].lastChild, 'change', (ev) => this.#live(k, Number(ev.target.value)));
    const probe = (ev) => { if (ev.buttons || ev.pointerType === 'mouse') this.#ask(this.#plane?.toData(ev.offsetX, ev.offsetY)); };
    on(e.map, 'pointermove', probe);
    on(e.map, 'pointerdown', probe);
    on(e.inputs, 'input', () => {
      const v = [...e.inputs.querySelectorAll('input')].map((i) => Number(i.value));
      if (v.every(Number.isFinite)) this.#ask(v);
    });
  }

  connectedCallback() {
    // The page's models (a src file, the predictor) get the worker's cap unless the host page chose its own: a
    // hostile file is then refused with the size it asks for instead of growing the tab's memory by gigabytes.
    if (!Model.memoryLimit) Model.setMemoryLimit(DEFAULT_MEMORY_LIMIT);
    this.#io = new IntersectionObserver((entries) => { this.#seen = entries.at(-1).isIntersecting; this.#sync(); });
    this.#io.observe(this);
    document.addEventListener('visibilitychange', this.#onChange);
    this.#dark.addEventListener('change', this.#onChange);
    this.#build();
  }

  disconnectedCallback() {
    this.#io.disconnect();
    document.removeEventListener('visibilitychange', this.#onChange);
    this.#dark.removeEventListener('change', this.#onChange);
    this.#gen++;
    this.#dispose();
  }

  attributeChangedCallback(name, before, after) {
    if (!this.isConnected || before === after || this.#queued) return;
    this.#queued = true; // attributes set one after another apply once
    queueMicrotask(() => {
      this.#queued = false;
      const old = this.#c, c = this.#read(), same = (k) => JSON.stringify(c[k]) === JSON.stringify(old[k]);
      if (!['demo', 'layers', 'optimizer', 'seed', 'src', 'data'].every(same)) return this.#build(false);
      for (const k of KNOBS) if (!same(k)) this.#live(k, c[k]);
      if (!same('steps')) this.#target = (this.#t?.progress?.step ?? 0) + c.steps;
      this.#want ||= c.autoplay && !old.autoplay;
      this.#theme();
      this.#knobs();
      this.#sync();
    });
  }

  get trainer() { return this.#t; } // for pages that want more than the attributes

  #read() {
    const { config, problems } = readConfig((n) => this.getAttribute(n));
    this.#c = config;
    this.#show(problems.length ? `${problems.join('; ')}. Using the default instead.` : '');
    if (problems.length) this.#emit('error', { message: problems.join('; '), kind: 'attribute' });
    return config;
  }

  #dispose() {
    this.#t?.dispose();
    this.#own?.dispose();
    this.#t = this.#own = this.#model = this.#data = this.#plane = null;
  }

  // Data (built-in or CSV) and model (new, or a .safetensors file's) from the attributes, then a Trainer.
  async #build(read = true) {
    const gen = ++this.#gen, c = read ? this.#read() : this.#c;
    this.#dispose();
    this.#want = false;
    this.#target = c.steps;
    this.#loss.clear(); this.#test.clear(); this.#last = null;
    this.#theme();
    this.#knobs();
    this.#buttons(false);
    this.#say('Loading…');
    try {
      let data, own;
      if (c.src) {
        const [csv, body] = await this.#fetch(c.src);
        if (csv) data = (await import('./widget/csv.js')).parseCsv(new TextDecoder().decode(body), c.src, c.seed);
        else own = await Model.load(body).catch((err) => { throw new Error(`src ${c.src}: ${err.message}`); });
      }
      if (!data && c.demo === 'digits') data = (await import('./widget/digits.js')).digits(c); // MNIST: pad, bars
      if (gen !== this.#gen) return own?.dispose();
      this.#own = this.#model = own;
      if (!data) {
        const d = makeDataset(c.demo, { seed: 1, testFraction: 0.3 }); // seeded: every reader sees the same points
        data = { ...d, features: d.inputSize, domain: [d.domain, d.classes ? d.domain : [-1.3, 1.3]] };
      }
      if (own && own.inputSize !== data.features) {
        throw new Error(`src: ${c.src} takes ${own.inputSize} inputs but demo "${c.demo}" has ${data.features}`);
      }
      this.#data = data;
      this.#fileWeights = own?.getWeights();
      this.#inputs();
      if (own) this.#emit('ready', { pretrained: true }); // predicting already, before the worker is up
      const t = this.#t = new Trainer(own ? own.spec : data.spec ?? buildSpec(c, data.features, data.classes),
        data.feed ?? { x: data.x, y: data.y, testX: data.testX, testY: data.testY }, { batchSize: c['batch-size'], ...data.opts });
      this.#listen(t, gen);
      await t.ready;
      if (own) await t.setWeights(this.#fileWeights);
      if (gen !== this.#gen) return;
      this.#model = t.predictor; // from now on predictions follow training
      if (!own) this.#emit('ready', { pretrained: false });
      this.#buttons(true);
      this.#say(own ? 'Pretrained weights loaded: predicting now. Train to continue.' : 'Ready: press Train.');
      this.#want = c.autoplay;
      this.#sync();
      this.#ask(this.#probe, true, false);
      this.#redraw('map'); // draws the plane too
    } catch (err) {
      if (gen === this.#gen) { this.#fail(err.message); this.#say('Not ready.'); }
    }
  }

  // Same-origin only, size-capped; .csv or .safetensors by extension. Returns [isCsv, bytes].
  async #fetch(src) {
    const url = new URL(src, document.baseURI), csv = /\.csv$/i.test(url.pathname);
    if (url.origin !== location.origin) throw new Error(`src: only files from this site can be used, got ${url.origin}`);
    if (!csv && !/\.safetensors$/i.test(url.pathname)) throw new Error(`src: expected a .csv or .safetensors file, got ${JSON.stringify(src.slice(0, 80))}`);
    const r = await fetch(url);
    if (!r.ok) throw new Error(`src: could not load ${src} (HTTP ${r.status})`);
    const body = new Uint8Array(await r.arrayBuffer());
    if (body.length > LIMITS.bytes) throw new Error(`src: ${src} is larger than ${LIMITS.bytes / 1e6} MB`);
    return [csv, body];
  }

  #listen(t, gen) {
    const on = (type, fn) => t.addEventListener(type, (e) => { if (gen === this.#gen) fn(e.detail); });
    on('progress', (p) => {
      if (p.step === 0) { this.#loss.clear(); this.#test.clear(); }
      p.points.steps.forEach((s, i) => this.#loss.push(s, p.points.losses[i]));
      if (p.metricsStep !== this.#test.s.at(-1)) this.#test.push(p.metricsStep, p.testLoss);
      this.#last = p;
      this.#redraw('chart');
      this.#emit('progress', p);
    });
    on('snapshot', (s) => {
      if (this.#model !== t.predictor) return; // fresh weights, about to be replaced by the file's
      this.#redraw('map');
      this.#emit('snapshot', s);
    });
    on('stopped', ({ reason, step }) => {
      const p = this.#last || {}, ours = this.#want && reason === 'paused'; // out of view or hidden tab
      this.#want = ours;
      this.#buttons(true);
      if (reason === 'reset') return;
      if (ours) return this.#say(`Paused at step ${step} while out of view.`);
      this.#say(`${reason === 'finished' ? 'Finished' : 'Stopped'} at step ${step}; test ` +
        (this.#data.classes ? `accuracy ${pct(p.testAccuracy)}.` : `loss ${fmt(p.testLoss)}.`));
      if (reason !== 'diverged') {
        this.#emit('trained', { reason, step, loss: p.loss, accuracy: p.accuracy, testAccuracy: p.testAccuracy, samplesSeen: p.samplesSeen });
      }
    });
    on('error', (d) => {
      if (d.kind === 'init') return;
      if (!d.fatal) {
        return this.#fail(d.kind === 'diverged'
          ? `Training stopped: ${d.message}. Predictions keep the last good weights; try a smaller learning rate.` : d.message, d.kind);
      }
      this.#want = false;
      if (t.failed) { // given up: no worker any more
        this.#buttons(false);
        this.#say('Training stopped: its worker keeps failing.');
        return this.#fail(`Training stopped: ${d.message}. Predictions keep the last good weights.`, 'fatal', { restarting: false });
      }
      this.#buttons(true);
      this.#say('The training worker failed; restarting it from the last snapshot…');
      this.#fail(`The training worker failed (${d.message}); it restarts from the last snapshot, paused.`, 'fatal', { restarting: d.restarting });
    });
    on('restarted', ({ step }) => {
      this.#want = false;
      this.#buttons(true);
      this.#say(`Restarted at step ${step}; paused.`);
    });
  }

  // Requests to the Trainer, one after another; a failure becomes a message.
  // A request the worker's death cut short says nothing more: the Trainer's `error` has been shown.
  #queue(fn) {
    this.#op = this.#op.then(() => this.#t && fn(this.#t))
      .catch((err) => err.name === 'WorkerStoppedError' || this.#fail(err.message))
      .then(() => this.#buttons(!!this.#t?.info && !this.#t.failed));
  }

  // Trains while the reader wants it and the widget can be seen.
  #sync() {
    this.#queue(async (t) => {
      if (!t.info || t.failed || this.#model !== t.predictor) return;
      const run = this.#want && this.#seen && !document.hidden;
      if (run && !t.running) {
        await t.start({ maxSteps: this.#target });
        this.#say(`Training until step ${this.#target}…`);
      } else if (!run && t.running) await t.pause();
    });
  }

  #live(k, v) {
    this.#c[k] = v;
    this.#t?.set({ [LIVE[k]]: v }).catch((err) => this.#fail(err.message));
  }

  // Repaints in an animation frame, at most 20 times a second (once a second with prefers-reduced-motion).
  #redraw(kind) {
    if (kind) this.#dirty.add(kind);
    this.#frame ||= requestAnimationFrame((now) => {
      this.#frame = 0;
      if (!this.#data) return;
      if (now - this.#drawnAt < (matchMedia('(prefers-reduced-motion: reduce)').matches ? 1000 : 50)) return this.#redraw();
      this.#drawnAt = now;
      if (this.#dirty.delete('chart')) this.#chart();
      if (this.#dirty.delete('map')) this.#map();
    });
  }

  #chart() {
    const p = this.#last, e = this.#e;
    if (p) {
      e['s-step'].textContent = p.step;
      e['s-loss'].textContent = fmt(p.loss);
      e['s-acc'].textContent = this.#data.classes ? pct(p.testAccuracy) : fmt(p.testLoss);
      e['s-rate'].textContent = sep(Math.round(p.samplesPerSec || 0));
      e.done.value = p.step / this.#target;
    }
    plot(e.chart, [this.#loss, this.#test], this.#col, 'the loss appears here while training');
  }

  // One batched predict over the plane's grid, then the reader's input again with the new weights. The first paint
  // comes in bands of 16 rows a frame: on cold code (wasm, JS) all 64 made a 60-175 ms task at the first step.
  #map() {
    const m = this.#model, pl = this.#plane, K = this.#data.classes, g = pl?.grid();
    if (m && pl && !K) pl.paint(m.predict(g), this.#col.bg);
    else if (m && pl) {
      const first = pl.rows < pl.res, r0 = first ? pl.rows : 0, r1 = first ? Math.min(pl.res, r0 + 16) : pl.res;
      pl.paint(m.probabilities(g.subarray(2 * pl.res * r0, 2 * pl.res * r1)), this.#col.bg, r0);
      if (pl.rows < pl.res) this.#redraw('map');
    }
    this.#ask(this.#probe, false);
  }

  // One number input per feature, starting at the first test sample; a map (2 features) or curve (1 feature).
  #inputs() {
    const d = this.#data, e = this.#e, drawable = d.features === (d.classes ? 2 : 1);
    this.#plane = drawable ? new Plane(e.map, d.domain, d.classes) : null;
    e.map.hidden = !drawable;
    if (d.mount) return d.mount(e, (x) => (x ? this.#ask(x) : (this.#probe = null)));
    e.inputs.replaceChildren(...Array.from({ length: d.features }, (_, k) => {
      const label = document.createElement('label');
      label.append(`x${k + 1} `, Object.assign(document.createElement('input'), { type: 'number', step: 'any' }));
      return label;
    }));
    this.#ask(Array.from(d.testX.subarray(0, d.features)), true, false);
    this.#redraw('map'); // the first draw (canvas context, layout) in a frame, not in the page's load task
  }

  // The model's answer for the reader's input v and, when the reader moved it, how long predict() took; draw: the
  // plane now (false when a #map frame is due).
  #ask(v, timed = true, draw = true) {
    const m = this.#model, d = this.#data, e = this.#e;
    if (!v || !d) return;
    this.#probe = v = v.slice(0, d.features);
    e.inputs.querySelectorAll('input').forEach((input, k) => {
      if (Number(input.value) !== v[k]) input.value = +v[k].toFixed(3);
    });
    let out;
    if (m) {
      const x = Float32Array.from(v), run = () => (d.classes ? m.probabilities(x) : m.predict(x));
      out = run();
      d.show?.(out); // digits: the bars
      // Page clocks are coarse (~0.1 ms): the best of 3 windows of >= 0.6 ms of calls.
      for (let r = 0, n = 0, t0 = performance.now(), best = 1e9; timed && r < 3; n = 0, t0 = performance.now(), r++) {
        do { run(); n++; } while (performance.now() - t0 < 0.6);
        best = Math.min(best, (1000 * (performance.now() - t0)) / n);
        e.lat.textContent = `in ${best.toFixed(1)} µs`;
      }
      if (d.classes) {
        const k = out.indexOf(Math.max(...out)), sw = document.createElement('span');
        sw.className = 'sw';
        sw.style.background = COLORS[k % 10]; // CSSOM: allowed under a strict style-src
        e.out.replaceChildren(sw, `class ${k} (${pct(out[k])})`);
      } else e.out.textContent = `y = ${fmt(out[0])}`;
    }
    if (draw) this.#plane?.draw(d.x, d.y, d.classes ? v : out && [v[0], out[0]], this.#col);
  }

  #theme() {
    const t = this.#c.theme, dark = t === 'dark' || (t === 'auto' && this.#dark.matches);
    this.#e.root.classList.toggle('dark', dark);
    this.#col = dark ? { bg: '#151b23', fg: '#e6edf3' } : { bg: '#f6f8fa', fg: '#1f2328' };
    this.#redraw('chart');
    this.#redraw('map');
  }

  #knobs() {
    for (const k of KNOBS) {
      const sel = this.#e[k].lastChild, v = this.#c[k];
      sel.replaceChildren(...[...new Set([...CHOICES[k], v])].sort((a, b) => a - b).map((o) => new Option(o, o)));
      sel.value = v;
      this.#e[k].hidden = !this.#c.controls.includes(k);
    }
  }

  #buttons(ready) {
    this.#e.go.textContent = this.#want ? 'Pause' : 'Train';
    for (const b of [this.#e.go, this.#e.step, this.#e.reset]) b.disabled = !ready;
  }

  #say(text) { this.#e.status.textContent = text; } // the aria-live status

  #show(text) {
    this.#e.msg.textContent = text; // textContent: messages quote attribute values
    this.#e.msg.hidden = !text;
  }

  #fail(message, kind = 'error', more = {}) {
    this.#show(message);
    this.#emit('error', { message, kind, ...more });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

if (!customElements.get('tiny-train')) customElements.define('tiny-train', TinyTrain);

// Parallel runs: the page's model beside up to MAX_COMPARED more configurations, each trained in a worker of its
// own (a Trainer per run; no memory is shared, so this uses the reader's cores on any host). The runs share the
// data, the loss, the pace and the step budget; their loss curves go on the page's chart (lines()) and their maps
// are small multiples, painted at most one per frame and a few times a second each, so several runs cost the
// page's main thread little. No DOM outside the compare section; the page (playground.js) owns the main run and
// tells this module what changed.
import { Trainer } from '../../web/runtime/trainer.js';
import { PACE } from '../../web/runtime/protocol.js';
import { Series } from '../../web/views/chart.js';
import { DecisionMap } from '../../web/views/map.js';
import { FunctionPlot } from '../../web/views/plot.js';
import { pageColors } from '../../web/views/palette.js';
import { DATASETS } from '../../web/datasets.js';
import { num } from '../shared/fields.js';
import {
  ACTIVATIONS, MAX_COMPARED, MAX_UNITS, buildSpec, dataOptions, describeRun, runConfig, runSettings, sameRun, toHash,
} from './config.js';

// Line and swatch colours: the page's model first (the chart's training-loss blue), then one per compared run.
export const RUN_COLORS = Object.freeze(['#2563eb', '#ea781e', '#16a34a', '#a855f7']);
export const MAIN_NAME = 'the page\'s model';
const SMALL_MAP_RESOLUTION = 40; // 40 x 40 = 1,600 predictions per small map
const SMALL_MAP_EVERY_MS = 250;  // a small map follows its weights this often at most (once a second with reduced motion)
const STATS_EVERY_MS = 100;      // the cards' numbers, like the page's
const OVERDUE = 4;               // a small map this many intervals late is painted even in a full frame

const fixed = (v, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : '–');
const pct = (v) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '–');

// What identifies a run's model and data: a run whose key is unchanged keeps its worker and its progress.
const runKey = (c) => JSON.stringify([buildSpec(c), dataOptions(c), c.batchSize]);

// One card: a run's name, small map, numbers and buttons (the page's model has no buttons but "Open alone").
class Card {
  constructor(template, color) {
    this.el = template.content.firstElementChild.cloneNode(true);
    this.part = (name) => this.el.querySelector(`.run-${name}`);
    this.part('swatch').style.background = color;
    this.view = null;
    this.viewFor = null;     // the dataset the view was made for
    this.drawnVersion = -1;  // the trainer's weightsVersion last painted
    this.drawnTrainer = null;
    this.paintedAt = -Infinity;
    this.paints = 0;         // small maps painted, for the tests and the curious
    this.shownProgress = undefined; // nothing shown yet
  }

  setName(name, link) {
    if (this.part('name').textContent !== name) this.part('name').textContent = name;
    this.part('map').setAttribute('aria-label', `Map of ${name}'s answers over the input plane`);
    const alone = this.part('alone');
    alone.href = link;
    alone.setAttribute('aria-label', `Open alone: ${name}`); // the visible words first, then which run
    alone.title = 'This run\'s link, without the other runs';
  }

  // The numbers of the last progress (called at most every STATS_EVERY_MS).
  showProgress(p, regression) {
    const label = regression ? 'Held-out loss' : 'Held-out accuracy';
    if (this.part('test-label').textContent !== label) this.part('test-label').textContent = label;
    if (p === this.shownProgress) return;
    this.shownProgress = p;
    const set = (name, text, value) => {
      const el = this.part(name);
      if (el.textContent !== text) el.textContent = text;
      el.dataset.value = String(value);
    };
    if (!p) { // a run that has not trained yet
      set('step', '0', 0);
      set('loss', '–', NaN);
      set('test', '–', NaN);
      return;
    }
    set('step', String(p.step), p.step);
    set('loss', fixed(p.loss), p.loss);
    if (regression) set('test', fixed(p.testLoss), p.testLoss);
    else set('test', pct(p.testAccuracy), p.testAccuracy);
  }

  // A view sized for the dataset's task; remade when the dataset changes.
  viewOf(dataset) {
    if (this.viewFor !== dataset) {
      const canvas = this.part('map');
      this.view = DATASETS[dataset].task === 'regression' ? new FunctionPlot(canvas, { resolution: 100, pointRadius: 1.6 })
        : new DecisionMap(canvas, { resolution: SMALL_MAP_RESOLUTION, pointRadius: 1.6 });
      this.viewFor = dataset;
      this.drawnVersion = -1;
    }
    return this.view;
  }
}

// A compared run: its settings (config.js runSettings), its Trainer, its curves and its step budget.
class Run {
  constructor(comparison, settings, color, state = null) {
    this.comparison = comparison;
    this.color = color;
    this.card = new Card(comparison.template, color);
    this.held = false;             // stopped by the reader: Train leaves it paused until it is resumed
    this.pausedWhileHidden = false;
    this.status = 'loading…';
    this.failed = false;
    this.bindCard();
    this.take(state || this.fresh(settings));
  }

  // A new Trainer for these settings on the page's data, on one thread: the runs side by side are what use the
  // cores (helper threads for each run would only compete for them on an isolated page).
  fresh(settings) {
    const c = runConfig(this.comparison.host.config(), settings);
    const trainer = new Trainer(buildSpec(c), dataOptions(c), { batchSize: c.batchSize, pace: PACE[c.speed], threads: 1 });
    return { settings, trainer, curves: { train: new Series(), test: new Series() }, targetStep: 0 };
  }

  get config() { return runConfig(this.comparison.host.config(), this.settings); }
  get name() { return describeRun(this.settings, this.comparison.host.config()); }

  // Makes `state` ({settings, trainer, curves, targetStep}) this run's: its events now reach this card. Used when
  // the run starts and when it trades places with the page's model.
  take({ settings, trainer, curves, targetStep }) {
    this.wiring?.abort();
    this.wiring = new AbortController();
    const key = runKey(runConfig(this.comparison.host.config(), settings));
    Object.assign(this, { settings: runSettings(settings), trainer, curves, targetStep, key });
    this.held = false;
    this.failed = Boolean(trainer.failed); // a trainer that gave up on its worker trains no more
    this.pausedWhileHidden = false;
    this.lastTestStep = curves.test.length ? curves.test.steps[curves.test.length - 1] : -1;
    this.status = this.failed ? 'stopped: its worker keeps failing' : trainer.running ? 'training…'
      : trainer.info ? 'paused' : 'loading…';
    this.card.drawnVersion = -1;
    this.card.shownProgress = undefined;
    const on = (type, fn) => trainer.addEventListener(type, (e) => fn(e.detail), { signal: this.wiring.signal });
    on('progress', (p) => this.onProgress(p));
    on('stopped', ({ reason }) => {
      this.status = reason === 'diverged' ? 'stopped: diverged' : reason === 'finished' ? 'finished its steps'
        : this.held ? 'stopped' : this.pausedWhileHidden ? 'paused while the tab is hidden' : 'paused';
    });
    on('error', (d) => {
      if (d.kind === 'diverged') this.status = 'stopped: diverged';
      else if (d.fatal && d.restarting) this.status = 'worker failed; restarting…';
      else if (d.fatal && trainer.failed) {
        this.status = 'stopped: its worker keeps failing';
        this.failed = true;
      }
      this.comparison.host.showMessage(`${this.name}: ${d.message}`, 'error');
    });
    on('restarted', ({ step }) => { this.status = `restarted at step ${step}; paused`; });
    trainer.ready.then(() => {
      if (this.trainer === trainer && this.status === 'loading…') this.status = 'ready';
    }, (err) => {
      if (this.trainer !== trainer) return;
      this.status = 'not started';
      this.failed = true;
      this.comparison.host.showMessage(`${this.name} could not be built: ${err.message}`, 'error');
    });
    this.refresh();
  }

  // Gives up this run's state without disposing of it (the page's model takes it over).
  release() {
    this.wiring.abort();
    return { settings: this.settings, trainer: this.trainer, curves: this.curves, targetStep: this.targetStep };
  }

  dispose() {
    this.wiring.abort();
    this.trainer.dispose(); // terminates its worker and frees its predictor
    this.card.el.remove();
  }

  onProgress(p) {
    for (let i = 0; i < p.points.steps.length; i++) this.curves.train.push(p.points.steps[i], p.points.losses[i]);
    if (p.metricsStep !== this.lastTestStep && p.metricsStep >= 0 && Number.isFinite(p.testLoss)) {
      this.curves.test.push(p.metricsStep, p.testLoss);
      this.lastTestStep = p.metricsStep;
    }
    if (p.step === 0) { this.curves.train.clear(); this.curves.test.clear(); this.lastTestStep = -1; }
    if (p.running && this.trainer.running) this.status = 'training…';
    this.comparison.host.chartChanged();
  }

  bindCard() {
    const act = (fn) => () => fn().catch((e) => {
      if (!/disposed/.test(e.message) && e.name !== 'WorkerStoppedError') this.comparison.host.showMessage(e.message, 'error');
    });
    this.card.part('stop').addEventListener('click', act(async () => {
      if (this.held) {
        this.held = false;
        await this.start(true);
      } else {
        this.held = true;
        this.refresh();
        await this.trainer.pause();
        this.status = 'stopped';
      }
      this.refresh();
    }));
    this.card.part('use').addEventListener('click', () => this.comparison.use(this));
    this.card.part('remove').addEventListener('click', () => this.comparison.remove(this));
  }

  // The card's name, link and buttons for the current settings and the page's config.
  refresh() {
    const name = this.name;
    this.card.setName(name, `#${toHash(this.config)}`);
    const stop = this.card.part('stop');
    stop.textContent = this.held ? 'Resume' : 'Stop';
    stop.setAttribute('aria-label', `${this.held ? 'Resume' : 'Stop'} ${name}`);
    stop.disabled = this.failed;
    const use = this.card.part('use');
    use.setAttribute('aria-label', `Use this one: ${name}`);
    use.title = `Make ${name} the page's model: the map, the form and the link follow it`;
    this.card.part('remove').setAttribute('aria-label', `Remove ${name}`);
  }

  // Trains to the run's step budget; pressed: a press of Train, which asks for Steps per run more once it ended.
  async start(pressed) {
    if (this.held || this.failed) return;
    const t = this.trainer;
    await t.ready;
    const step = t.progress?.step ?? 0;
    if (pressed && step >= this.targetStep) this.targetStep = step + this.comparison.host.config().steps;
    this.pausedWhileHidden = false;
    await t.set({ pace: PACE[this.comparison.host.config().speed] });
    await t.start({ maxSteps: this.targetStep });
    this.status = 'training…';
  }
}

/**
 * The compare section. host: {config() (the page's config), points() (the dataset as trained on, or null),
 * main() ({trainer}: the page's model), probabilities(predictor, inputs, n, classes) (what a map shows: class
 * probabilities (n, classes), or the predicted values when classes is 0), showMessage(text, kind), chartChanged(),
 * runsChanged() (the list changed: the link follows), use(run) (the page's model trades places with the run: the
 * page takes run.release() and gives the run its own state with run.take())}.
 */
export class Comparison {
  constructor(section, host) {
    this.section = section;
    this.host = host;
    this.template = document.getElementById('run-card');
    this.list = section.querySelector('#runs');
    this.runs = [];
    this.mainCard = new Card(this.template, RUN_COLORS[0]);
    for (const name of ['stop', 'use', 'remove', 'status']) this.mainCard.part(name).remove();
    this.paintNext = 0;   // round robin over the cards: the next small map to paint
    this.statsAt = -Infinity;
    this.reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');
    this.bindAddButton();
  }

  get size() { return this.runs.length; }

  /** The compared runs' settings, for the link. */
  settings() { return this.runs.map((r) => runSettings(r.settings)); }

  // ---- the list of runs ----------------------------------------------------------------------------------------

  /**
   * Makes the compared runs those of `list` (runSettings each) on the page's current data: a run whose model and
   * data are unchanged keeps its worker and progress, the others start anew, and runs not listed are removed.
   */
  sync(list) {
    const config = this.host.config();
    const keep = [...this.runs];
    const next = list.slice(0, MAX_COMPARED).map((settings) => {
      const key = runKey(runConfig(config, settings));
      const i = keep.findIndex((r) => r.key === key);
      return i >= 0 ? keep.splice(i, 1)[0] : null;
    });
    for (const r of keep) r.dispose();
    this.runs = next.map((run, i) => run || new Run(this, list[i], RUN_COLORS[1 + i]));
    this.recolor();
    this.render();
  }

  add(settings) {
    if (this.runs.length >= MAX_COMPARED) return;
    const run = new Run(this, settings, RUN_COLORS[1 + this.runs.length]);
    this.runs.push(run);
    this.render();
    this.host.runsChanged();
    // A run added while the page's model trains joins in.
    if (this.host.main().trainer?.running) run.start(true).catch(() => {});
  }

  remove(run) {
    const i = this.runs.indexOf(run);
    if (i < 0) return;
    this.runs.splice(i, 1);
    run.dispose();
    this.recolor();
    this.render();
    this.host.runsChanged();
    this.section.querySelector('#add-run-toggle').focus(); // the focused button is gone
  }

  use(run) {
    this.host.use(run);
    this.render();
  }

  // Each run keeps the colour of its place in the list, as the chart's legend does.
  recolor() {
    this.runs.forEach((r, i) => {
      r.color = RUN_COLORS[1 + i];
      r.card.part('swatch').style.background = r.color;
    });
  }

  /** The cards in order (the page's model first); the list shows only while a run is compared. */
  render() {
    this.list.hidden = !this.runs.length;
    const cards = this.runs.length ? [this.mainCard.el, ...this.runs.map((r) => r.card.el)] : [];
    if (cards.length !== this.list.children.length || cards.some((el, i) => this.list.children[i] !== el)) {
      this.list.replaceChildren(...cards);
    }
    this.refresh();
    const toggle = this.section.querySelector('#add-run-toggle');
    toggle.disabled = this.runs.length >= MAX_COMPARED;
    if (toggle.disabled) this.closeForm();
    this.section.querySelector('#runs-full').hidden = !toggle.disabled;
  }

  /** Names and links again (the page's settings changed). */
  refresh() {
    const config = this.host.config();
    this.mainCard.setName(MAIN_NAME, `#${toHash(config)}`);
    for (const r of this.runs) r.refresh();
  }

  // ---- training: the page's controls act on every run -----------------------------------------------------------

  each(fn) {
    return Promise.all(this.runs.map((r) => (r.failed ? null : fn(r))));
  }

  startAll(pressed) { return this.each((r) => r.start(pressed)); }

  pauseAll() {
    return this.each(async (r) => {
      r.pausedWhileHidden = false;
      await r.trainer.pause();
    });
  }

  stepAll(n) {
    return this.each(async (r) => {
      await r.trainer.ready;
      await r.trainer.step(n);
      r.status = `paused at step ${r.trainer.progress?.step ?? n}`;
    });
  }

  resetAll() {
    return this.each(async (r) => {
      await r.trainer.reset({ seed: r.settings.seed });
      r.targetStep = 0;
      r.curves.train.clear();
      r.curves.test.clear();
      r.lastTestStep = -1;
      r.status = 'reset';
      this.host.chartChanged();
    });
  }

  setPace(pace) { return this.each((r) => r.trainer.set({ pace })); }

  // A hidden tab pauses the runs that train; showing it resumes them.
  visibility(hidden) {
    for (const r of this.runs) {
      if (hidden && r.trainer.running) {
        r.pausedWhileHidden = true;
        r.trainer.pause().catch(() => {});
      } else if (!hidden && r.pausedWhileHidden) {
        r.start(false).catch(() => {});
      }
    }
  }

  /** The compared runs' training-loss curves for the page's chart. */
  lines() {
    return this.runs.map((r) => ({ series: r.curves.train, color: r.color, label: r.name }));
  }

  // ---- the frame: numbers, then at most one small map -----------------------------------------------------------

  /** Paints every small map again in the coming frames (the page's colour scheme changed). */
  repaint() {
    for (const card of [this.mainCard, ...this.runs.map((r) => r.card)]) card.drawnVersion = -1;
  }

  /** Does this frame's share of the cards' work while performance.now() < deadline. */
  frame(now, deadline) {
    if (!this.runs.length) return;
    const main = this.host.main(), points = this.host.points();
    const regression = DATASETS[this.host.config().dataset].task === 'regression';
    if (now - this.statsAt >= STATS_EVERY_MS) {
      this.statsAt = now;
      this.mainCard.showProgress(main.trainer?.progress, regression);
      for (const r of this.runs) {
        r.card.showProgress(r.trainer.progress, regression);
        const status = r.card.part('status');
        if (status.textContent !== r.status) status.textContent = r.status;
      }
    }
    if (!points) return;
    const every = this.reducedMotion.matches ? 1000 : SMALL_MAP_EVERY_MS;
    const cards = [[this.mainCard, main.trainer], ...this.runs.map((r) => [r.card, r.trainer])];
    for (let tried = 0; tried < cards.length; tried++) {
      const index = (this.paintNext + tried) % cards.length, [card, trainer] = cards[index];
      const fresh = card.drawnTrainer !== trainer || card.drawnVersion < 0;
      if (!trainer?.predictor) continue;
      if (!fresh && (trainer.weightsVersion === card.drawnVersion || now - card.paintedAt < every)) continue;
      // Within the frame's budget, or overdue: a main map that fills every frame does not starve the small ones.
      if (performance.now() >= deadline && now - card.paintedAt < OVERDUE * every) continue;
      this.paintCard(card, trainer, points);
      card.paintedAt = now;
      this.paintNext = (index + 1) % cards.length;
      break; // one small map per frame
    }
  }

  paintCard(card, trainer, points) {
    const view = card.viewOf(this.host.config().dataset);
    card.drawnVersion = trainer.weightsVersion;
    card.drawnTrainer = trainer;
    card.paints++;
    const grid = view.gridInputs(), colors = pageColors();
    if (view instanceof DecisionMap) {
      view.paint(this.host.probabilities(trainer.predictor, grid, grid.length / 2, points.classes), points.classes,
        { background: colors.background });
    } else {
      view.paint(this.host.probabilities(trainer.predictor, grid, grid.length, 0));
    }
    view.render({ x: points.x, y: points.y, testX: points.testX, testY: points.testY, colors });
  }

  // ---- the form that adds a run ------------------------------------------------------------------------------------

  // The form exists only while open, so the page's own fields keep their labels to themselves.
  bindAddButton() {
    const toggle = this.section.querySelector('#add-run-toggle');
    toggle.addEventListener('click', () => (this.form ? this.closeForm() : this.openForm()));
  }

  openForm() {
    const toggle = this.section.querySelector('#add-run-toggle');
    this.form = document.getElementById('add-run-form').content.firstElementChild.cloneNode(true);
    toggle.after(this.form);
    toggle.setAttribute('aria-expanded', 'true');
    const config = this.host.config(), field = (id) => this.form.querySelector(`#${id}`);
    // Prefilled with the page's settings and a seed no run has yet, so "Add run" at once compares seeds.
    field('run-seed').value = String(Math.max(config.seed, ...this.runs.map((r) => r.settings.seed)) + 1);
    field('run-lr').value = String(config.lr);
    field('run-optimizer').value = config.optimizer;
    field('run-batchSize').value = String(config.batchSize);
    field('run-act').replaceChildren(new Option('as the page\'s model', ''),
      ...ACTIVATIONS.map((a) => new Option(a === 'linear' ? 'none' : a, a)));
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submitForm();
    });
    field('run-cancel').addEventListener('click', () => this.closeForm());
    field('run-seed').focus();
  }

  closeForm() {
    if (!this.form) return;
    const hadFocus = this.form.contains(document.activeElement);
    this.form.remove();
    this.form = null;
    const toggle = this.section.querySelector('#add-run-toggle');
    toggle.setAttribute('aria-expanded', 'false');
    if (hadFocus && !toggle.disabled) toggle.focus();
  }

  // Reads the form into a run's settings; a value out of range is named and nothing is added.
  submitForm() {
    const config = this.host.config(), field = (id) => this.form.querySelector(`#${id}`);
    const settings = runSettings(config);
    try {
      settings.seed = num('Seed', 0, 0xffffffff, true)(field('run-seed').value);
      settings.lr = num('Learning rate', 1e-6, 10, false)(field('run-lr').value);
      settings.optimizer = field('run-optimizer').value;
      settings.batchSize = num('Batch size', 1, 1024, true)(field('run-batchSize').value);
      const units = field('run-units').value.trim(), act = field('run-act').value;
      if (units !== '') {
        const u = num('Units in each hidden layer', 1, MAX_UNITS, true)(units);
        settings.layers = settings.layers.map((l) => ({ ...l, units: u }));
      }
      if (act) settings.layers = settings.layers.map((l) => ({ ...l, act }));
    } catch (err) {
      this.host.showMessage(`Not added: ${err.message}.`);
      return;
    }
    if (sameRun(settings, config)) {
      this.host.showMessage('Not added: this run has the same settings as the page\'s model; change at least one.');
      return;
    }
    const twin = this.runs.find((r) => sameRun(r.settings, settings));
    if (twin) {
      this.host.showMessage(`Not added: ${twin.name} already has these settings.`);
      return;
    }
    this.closeForm();
    this.add(settings);
  }
}

// <tiny-train>'s plain words, loaded on demand (tiny-train.js imports it at the first pointer move, focus or
// progress, so it stays out of what a widget loads before its first training step):
//   - a legend under the map: a colour per class, filled = trained on, hollow = held out;
//   - the glossary (web/views/glossary.js) on the terms the widget shows, on hover and on keyboard focus;
//   - the overfitting hint under the loss chart (web/views/overfit.js): when the held-out loss climbs while the
//     training loss falls it says so and offers "Stop at the best held-out step", whose weights it keeps;
//   - on a cross-origin isolated page, where training splits over helper threads: when one stops in the middle of
//     a step, the words for it, as the demo pages say them, and training goes on (on one thread) if it was on.
// It follows the widget through its events, its Trainer, its shadow DOM's named elements, and the two loss curves
// the element hands it (Series, which the widget draws).
import { explainTerms } from '../views/glossary.js';
import { overfitting, overfittingText, stopAtBestLabel, BestHeldOut, cutCurve } from '../views/overfit.js';
import { RESTARTING_ON_ONE_THREAD, oneThreadFrom, helperStopped } from '../views/threads.js';
import { element as make, adoptStyles } from './dom.js';

const CSS = `
.term {
  position: relative;
  text-decoration: underline dotted;
  cursor: help;
}
.term .tip {
  display: none;
  position: absolute;
  z-index: 2;
  left: 0;
  bottom: calc(100% + 4px);
  box-sizing: border-box;
  padding: 6px 8px;
  border-radius: 6px;
  background: var(--fg);
  color: var(--bg);
  font: 12px/1.4 system-ui, sans-serif;
  text-align: left;
  white-space: normal;
}
.term.below .tip {
  top: calc(100% + 4px);
  bottom: auto;
}
.term:hover .tip, .term:focus .tip {
  display: block;
}
.legend {
  display: flex;
  flex-wrap: wrap;
  justify-content: center;
  gap: 2px 10px;
}
.dot {
  display: inline-block;
  width: 7px;
  height: 7px;
  border-radius: 50%;
  border: 2px solid;
  margin-right: 3px;
  vertical-align: -1px;
}
.overfit {
  border-left: 3px solid var(--accent);
  padding: 4px 8px;
  margin-top: 6px;
  background: var(--bg);
}
.overfit p {
  margin: 0 0 4px;
  color: var(--fg);
}`;

// The words of the widget's markup (web/widget/style.js) that get an explanation: where, which words, which term.
const TERMS = [
  ['.lr', /Learning rate/, 'learning rate'],
  ['.batch-size', /Batch/, 'batch'],
  ['.s-step', /step/, 'step'],
  ['.s-step', /loss/, 'loss'],
  ['.s-step', /test accuracy/, 'held-out'],
];
const TIP_WIDTH = 260; // CSS pixels, or the widget's width less a margin when narrower

// Sets `hidden` only when it changes: each setting, even to the same value, may have the browser restyle.
const hide = (node, hidden) => node.hidden === hidden || (node.hidden = hidden);
const taught = new WeakSet(); // the widgets this module has taught already
const LOADED_ON = ['pointermove', 'focus', 'progress']; // the events tiny-train.js loads this part on

/**
 * Teaches widget `element` (a <tiny-train>); later calls for the same widget do nothing. load: the widget's
 * listener that loaded this part, removed here; classColor: the class colours the map paints with
 * (web/views/palette.js's, passed so this part needs no copy of them); losses, tests: the widget's training and
 * held-out loss curves (Series), which it draws.
 */
export function teach(element, load, classColor, losses, tests) {
  for (const type of LOADED_ON) element.removeEventListener(type, load);
  if (taught.has(element)) return;
  taught.add(element);
  const root = element.shadowRoot, named = (name) => root.querySelector(`.${name}`);
  adoptStyles(root, CSS);
  markTerms(root);
  named('step').title = '10 training steps'; // here, not in the markup: a title shows on hover, which loads this
  placeTips(root);
  const legend = make('p', 'legend');
  named('map').after(legend);
  const hint = new OverfittingHint(element, losses, tests);
  named('chart').after(hint.box);
  explainTerms(root);
  const epochs = named('s-epoch');
  let epoch = '0', frame = 0;
  // The words change in the widget's next frame, after its own drawing: a change between frames would make the
  // browser lay the widget out again before that drawing, once more inside it (it reads its canvases' sizes) and a
  // third time for the frame, several times a second while it trains.
  const show = () => {
    frame = 0;
    showLegend(legend, element, classColor);
    hint.show();
    if (epochs.textContent !== epoch) epochs.textContent = epoch;
  };
  const update = (event) => {
    hint.keep();
    if (event?.type === 'progress' || event?.type === 'ready') epoch = String(event.detail?.epoch ?? 0);
    frame ||= requestAnimationFrame(show);
  };
  for (const type of ['ready', 'snapshot', 'progress']) element.addEventListener(type, update);
  goOnAfterHelperStops(element, named('status'), named('msg'), named('go'));
  // and on what the widget says: "Pretrained weights: predicting now" comes when its Trainer takes over from a file's
  // model, with no event
  new MutationObserver(() => update()).observe(named('status'), { childList: true, characterData: true, subtree: true });
  update();
}

// Wraps the glossary's words in the widget's labels and counters in [data-term] spans, and adds the epochs done
// beside the step count.
function markTerms(root) {
  for (const [name, words, term] of TERMS) {
    const container = name === '.s-step' ? root.querySelector(name).parentElement : root.querySelector(name);
    for (const node of container.childNodes) {
      const found = node.nodeType === Node.TEXT_NODE && words.exec(node.data);
      if (!found) continue;
      const after = node.splitText(found.index);
      after.splitText(found[0].length);
      const span = make('span', '', found[0]);
      span.dataset.term = term;
      after.replaceWith(span);
      break;
    }
  }
  const epochs = make('b', 's-epoch', '0'), term = make('span', '', 'epochs');
  term.dataset.term = 'epoch';
  root.querySelector('.s-step').after(' · ', term, ' ', epochs);
}

// An explanation shows above its term, or below where there is more room there, and within the widget's box (the
// host clips what goes outside it).
function placeTips(root) {
  const box = root.querySelector('.root');
  const place = (event) => {
    const term = event.target.closest?.('.term');
    const tip = term?.querySelector('.tip');
    if (!tip) return;
    const outer = box.getBoundingClientRect(), at = term.getBoundingClientRect();
    const width = Math.min(TIP_WIDTH, outer.width - 16);
    const left = Math.max(outer.left + 8, Math.min(at.left, outer.right - 8 - width));
    tip.style.width = `${width}px`; // CSSOM: allowed under a strict style-src
    tip.style.left = `${left - at.left}px`;
    term.classList.toggle('below', outer.bottom - at.bottom > at.top - outer.top);
  };
  root.addEventListener('pointerover', place);
  root.addEventListener('focusin', place);
}

// What the map's colours and marks mean; shown only while the widget draws a map or a curve of its data.
function showLegend(legend, element, classColor) {
  const info = element.trainer?.info, map = element.shadowRoot.querySelector('.map');
  const classes = element.trainer?.spec.loss === 'cross_entropy' ? info?.outputSize : 0;
  const key = map.hidden || !info ? '' : `${classes} ${info.nTest > 0}`;
  if (legend.dataset.key === key) return;
  legend.dataset.key = key;
  legend.hidden = !key;
  if (!key) return;
  const dot = (k, text) => {
    const mark = make('span', 'dot');
    mark.style.borderColor = mark.style.background = classColor(k);
    return make('span', '', mark, text);
  };
  const items = classes ? Array.from({ length: classes }, (_, k) => dot(k, `class ${k}`)) : [dot(1, 'the points to fit')];
  const held = make('span', '', 'filled: trained on');
  if (info.nTest > 0) {
    const term = make('span', '', 'held out');
    term.dataset.term = 'held-out';
    held.append(' · hollow: ', term);
  }
  held.append(classes ? ' · background: the model\'s answer, paler where unsure' : ' · line: the model\'s answer');
  legend.replaceChildren(...items, held);
  explainTerms(legend);
}

// The hint under the loss chart and its button. The lowest held-out loss's snapshot is kept from the widget's
// `snapshot` events; the button pauses the widget and gives its Trainer those weights back at that step.
class OverfittingHint {
  constructor(element, losses, tests) {
    // followed: a weak reference to the Trainer followed, so a widget a host keeps after removing it (MkDocs'
    // instant navigation) does not keep its Trainer alive through this
    Object.assign(this, { element, losses, tests, lowest: new BestHeldOut(), followed: null, backAt: -1, busy: false });
    this.text = make('span', 'overfit-text');
    this.text.setAttribute('role', 'status');
    const word = make('strong', '', 'Overfitting');
    word.dataset.term = 'overfitting';
    this.button = make('button', 'stop-best');
    this.button.type = 'button';
    this.box = make('div', 'overfit', make('p', '', word, ': ', this.text), this.button);
    this.box.hidden = true;
    this.button.addEventListener('click', () => this.stopAtBest().catch((err) => this.#say(`Could not go back: ${err.message}`)));
    element.addEventListener('progress', ({ detail }) => {
      if (detail.step === 0) this.lowest.clear(); // reset: a new run
    });
  }

  // The widget's current Trainer (or null); a new one (a rebuild) starts over.
  #follow() {
    const trainer = this.element.trainer;
    if (trainer !== (this.followed?.deref() ?? null)) {
      this.followed = trainer && new WeakRef(trainer);
      this.lowest.clear();
      this.backAt = -1;
    }
    return trainer;
  }

  // On the widget's ready, snapshot and progress events (and once at the start): keeps the snapshot of the lowest
  // held-out loss.
  keep() {
    const trainer = this.#follow();
    if (trainer && !this.busy) {
      this.lowest.consider(trainer);
      if (this.lowest.wants(trainer)) trainer.snapshot().catch(() => {}); // a worker's death is reported
    }
  }

  update() {
    this.keep();
    this.show();
  }

  // Shows or hides the hint. Right after going back it stays hidden: the curve's lowest point may be one no
  // snapshot was taken at.
  show() {
    const latest = this.tests.steps.at(-1) ?? -1;
    if (latest > this.backAt) this.backAt = -1;
    const o = this.backAt < 0 ? overfitting(this.losses, this.tests) : null, best = this.lowest.best;
    const text = overfittingText(o, { points: 'examples' }) + (o ? '.' : '');
    if (this.text.textContent !== text) this.text.textContent = text;
    hide(this.box, !o);
    hide(this.button, !o || !best || this.busy);
    const label = best ? stopAtBestLabel(best) : '';
    if (best && this.button.textContent !== label) this.button.textContent = label;
  }

  // Pauses (through the widget's own button, so it stops wanting to train), gives the worker the kept weights at
  // their step, cuts the curves back to it and replays the worker's report of that step, so the widget's counters
  // and chart show it; the map follows the snapshot the worker sends.
  async stopAtBest() {
    const best = this.lowest.best, trainer = this.#follow();
    if (!best || !trainer || this.busy) return;
    this.busy = true;
    this.update();
    try {
      const go = this.element.shadowRoot.querySelector('.go');
      if (go.textContent === 'Pause') go.click();
      await trainer.pause();
      if (trainer !== this.element.trainer) return;
      await trainer.setWeights(best.weights, { step: best.step });
      if (trainer !== this.element.trainer) return;
      this.backAt = best.step;
      cutCurve(this.losses, best.step);
      cutCurve(this.tests, best.step - 1); // the replayed report adds the kept step's held-out loss again
      const none = { steps: [], losses: [], accuracies: [] };
      trainer.dispatchEvent(new CustomEvent('progress', { detail: { ...best.progress, running: false, points: none } }));
      this.#say(`Back at step ${best.step}, the lowest held-out loss (${best.loss.toFixed(3)}); paused.`);
    } finally {
      this.busy = false;
      this.update();
    }
  }

  #say(text) {
    this.element.shadowRoot.querySelector('.status').textContent = text;
  }
}

// A helper thread that stopped in the middle of a step (wasm/threads.js) fails that step: the widget's Trainer
// restarts its worker on one thread from the last snapshot (web/runtime/trainer.js), and the widget, which reports
// any worker's failure as one ("it restarts ..., paused"), would stay paused. This says what happened in plain words
// instead and, if the widget was training, goes on training, as the demo pages do.
function goOnAfterHelperStops(element, status, msg, go) {
  let training = false; // what the widget's last progress said
  element.addEventListener('progress', ({ detail }) => { training = detail.running; });
  element.addEventListener('error', ({ detail }) => {
    const trainer = element.trainer;
    if (!trainer || !helperStopped(detail)) return;
    const goOn = training;
    msg.hidden = true;
    status.textContent = RESTARTING_ON_ONE_THREAD;
    trainer.addEventListener('restarted', ({ detail: { step } }) => {
      if (trainer !== element.trainer) return; // rebuilt meanwhile
      const words = oneThreadFrom(step);
      status.textContent = words;
      if (!goOn || go.disabled || go.textContent !== 'Train') return;
      // (said again once it trains: starting says "Training until step …")
      const said = ({ detail: progress }) => {
        if (!progress.running) return;
        element.removeEventListener('progress', said);
        status.textContent = words;
      };
      element.addEventListener('progress', said);
      go.click();
    }, { once: true });
  });
}

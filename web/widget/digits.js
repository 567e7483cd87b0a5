// <tiny-train demo="digits">: MNIST in the widget. Loaded with a dynamic import only by widgets with that demo, so
// the pad, the preprocessing and the bars stay out of the JS every widget loads (tools/dist.mjs lists them as on
// demand). The worker fetches the digits itself ({dataset: 'mnist'}, web/mnist-load.js) from the `data` folder.
import { DrawPad } from '../drawpad.js';
import { preprocessRGBA } from '../digits-preprocess.js';
import { DIGITS_CNN, optimizerSpec } from '../models.js';
import { buildSpec, bad } from './config.js';

const CSS = `.dg { display: flex; flex-wrap: wrap; gap: 10px; align-items: start; width: 100% }
.pad { width: 196px; max-width: 100%; aspect-ratio: 1; margin: 0; border-radius: 6px; cursor: crosshair; touch-action: none }
.dg-side { flex: 1 1 120px; display: grid; gap: 3px } .dg-top { display: flex; gap: 8px; align-items: center }
.dg-digit { font-size: 32px; font-weight: 600; min-width: 1ch }
.row { display: grid; grid-template-columns: 1ch 1fr 4.5em; gap: 5px; align-items: center; font-size: 11px; color: var(--mute) }
.track { height: 8px; background: var(--line); border-radius: 4px; overflow: hidden }
.fill { display: block; height: 100%; width: 0; background: var(--mute) } .best { color: var(--fg) } .best .fill { background: var(--accent) }`;
let sheet;

const el = (tag, cls, ...kids) => {
  const x = document.createElement(tag);
  x.className = cls;
  x.append(...kids);
  return x;
};

/**
 * The widget's data object for demo="digits" (config c, checked by web/widget/config.js): 784 features, 10 classes,
 * what the Trainer is given (feed, opts), the model spec, and mount/show for the inference panel. The MNIST files
 * (mnist-train.bin, mnist-test.bin) are in the folder c.data names (relative to the page), or else in
 * defaultFolder (a URL the element gives).
 */
export function digits(c, defaultFolder) {
  const where = new URL(c.data || defaultFolder, document.baseURI);
  if (where.origin !== location.origin) bad('data', 'a folder on this site', c.data);
  const file = (split) => new URL(`mnist-${split}.bin`, where.href.replace(/\/?$/, '/')).href; // absolute: the worker's base differs
  let show = () => {}, strokes = 0;
  return {
    features: 784, classes: 10,
    feed: { dataset: 'mnist', train: file('train'), test: file('test') },
    // A full held-out pass (2,000 digits) costs tens of ms: every 25 steps at most, train accuracy on 1,000 digits.
    opts: { evalEvery: 25, evalTrainMax: 1000 },
    spec: c.layers === 'cnn' ? { ...DIGITS_CNN, optimizer: optimizerSpec(c.optimizer, c.lr), seed: c.seed } : buildSpec(c, 784, 10),

    // The pad, the predicted digit and ten bars, in the widget's input area (e: the widget's elements). ask(x) asks
    // the model about x (784 pixels in [0, 1]) and ends in show(); ask(null) forgets the drawing.
    mount(e, ask) {
      const root = e.inputs.getRootNode();
      if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(CSS);
      if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      const canvas = el('canvas', 'pad'), digit = el('output', 'dg-digit', '?'), clear = el('button', 'clear', 'Clear');
      Object.assign(canvas, { width: 280, height: 280 }); // 10 pad pixels per MNIST pixel
      canvas.setAttribute('aria-label', 'Drawing pad: draw a digit with the mouse, a pen or a finger');
      digit.setAttribute('aria-label', 'Predicted digit');
      const rows = Array.from({ length: 10 }, (_, k) => {
        const fill = el('span', 'fill'), row = el('div', 'row', `${k}`, el('span', 'track', fill), el('span', 'pct'));
        row.setAttribute('role', 'listitem');
        return { row, fill };
      });
      const bars = el('div', 'bars', ...rows.map((r) => r.row));
      bars.setAttribute('role', 'list');
      bars.setAttribute('aria-label', 'Probability of each digit');
      e.inputs.replaceChildren(el('div', 'dg', canvas, el('div', 'dg-side', el('div', 'dg-top', digit, clear), bars)));
      // probs: (10) or null (nothing drawn). The output records the stroke count it answers (for tests).
      show = (probs) => {
        const best = probs ? probs.indexOf(Math.max(...probs)) : -1;
        rows.forEach(({ row, fill }, k) => {
          const p = probs ? `${(100 * probs[k]).toFixed(1)}%` : '';
          fill.style.width = p || '0'; // CSSOM: allowed under a strict style-src
          row.lastChild.textContent = p;
          row.classList.toggle('best', k === best);
          row.setAttribute('aria-label', p ? `${k}: ${p}` : `${k}`);
        });
        digit.textContent = probs ? best : '?';
        Object.assign(digit.dataset, { digit: probs ? best : '', strokes });
      };
      let pad; // the constructor's clear() reports before pad is set
      pad = new DrawPad(canvas, {
        penWidth: 18,
        onChange: (why) => {
          strokes = pad?.strokes ?? 0;
          if (why === 'clear') {
            e.out.textContent = '–';
            e.lat.textContent = '';
            show(null);
            return ask(null);
          }
          const p = preprocessRGBA(pad.pixels().data, 280, 280); // x: (28 * 28), MNIST-style; null when blank
          if (p) ask(p.x);
        },
      });
      clear.addEventListener('click', () => pad.clear());
    },
    show: (probs) => show(probs),
  };
}

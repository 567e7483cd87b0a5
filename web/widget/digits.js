// <tiny-train demo="digits">: MNIST in the widget. Loaded with a dynamic import only by widgets with that demo, so
// the pad, the preprocessing and the bars stay out of what every widget loads (`make dist` makes them a part
// loaded on demand). The worker fetches the digits itself ({dataset: 'mnist'}, web/mnist-load.js) from the `data`
// folder.
import { DrawPad, KEYBOARD_HELP } from '../views/drawpad.js';
import { probabilityBars } from '../views/bars.js';
import { preprocessRGBA } from '../digits-preprocess.js';
import { optimizerSpec } from '../models.js';
import { DIGITS_CNN } from '../digits-models.js';
import { buildSpec, bad } from './config.js';

const PAD_PIXELS = 280; // 10 pad pixels per MNIST pixel

const CSS = `
.dg {
  display: flex;
  flex-wrap: wrap;
  gap: 10px;
  align-items: start;
  width: 100%;
}
.pad {
  width: 196px;
  max-width: 100%;
  aspect-ratio: 1;
  margin: 0;
  border-radius: 6px;
  cursor: crosshair;
  touch-action: none;
}
.dg-side {
  flex: 1 1 120px;
  display: grid;
  gap: 3px;
}
.dg-top {
  display: flex;
  gap: 8px;
  align-items: center;
}
.dg-digit {
  font-size: 32px;
  font-weight: 600;
  min-width: 1ch;
}
.bars .row {
  display: grid;
  grid-template-columns: 1ch 1fr 4.5em;
  gap: 5px;
  align-items: center;
  font-size: 11px;
  color: var(--mute);
}
.bars .track {
  height: 8px;
  background: var(--line);
  border-radius: 4px;
  overflow: hidden;
}
.bars .fill {
  display: block;
  height: 100%;
  width: 0;
  background: var(--mute);
}
.bars .best {
  color: var(--fg);
}
.bars .best .fill {
  background: var(--accent);
}`;
let sheet; // shared by every digits widget on the page

function element(tag, className, ...children) {
  const made = document.createElement(tag);
  made.className = className;
  made.append(...children);
  return made;
}

/**
 * The widget's data object for demo="digits" (config, checked by web/widget/config.js): 784 features, 10 classes,
 * what the Trainer is given (feed, opts), the model spec, and mount/show for the inference panel. The MNIST files
 * (mnist-train.bin.gz, mnist-test.bin.gz) are in the folder config.data names (relative to the page), or else in
 * defaultFolder (a URL the element gives).
 */
export function digits(config, defaultFolder) {
  const folder = new URL(config.data || defaultFolder, document.baseURI);
  if (folder.origin !== location.origin) bad('data', 'a folder on this site', config.data);
  // Absolute URLs: the worker's base URL differs from the page's.
  const file = (split) => new URL(`mnist-${split}.bin.gz`, folder.href.replace(/\/?$/, '/')).href;
  const spec = config.layers === 'cnn'
    ? { ...DIGITS_CNN, optimizer: optimizerSpec(config.optimizer, config.lr), seed: config.seed }
    : buildSpec(config, 784, 10);
  let show = () => {};
  let strokes = 0;
  return {
    features: 784,
    classes: 10,
    feed: { dataset: 'mnist', train: file('train'), test: file('test') },
    // A full held-out pass (2,000 digits) costs tens of ms: every 25 steps at most, train accuracy on 1,000 digits.
    opts: { evalEvery: 25, evalTrainMax: 1000 },
    spec,

    // The pad, the predicted digit and ten bars, in the widget's input area (elements: the widget's, by class).
    // ask(x) asks the model about x (784 pixels in [0, 1]) and ends in show(); ask(null) forgets the drawing.
    mount(elements, ask) {
      const root = elements.inputs.getRootNode();
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
      }
      if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      const canvas = element('canvas', 'pad');
      const digit = element('output', 'dg-digit', '?');
      const clear = element('button', 'clear', 'Clear');
      const bars = element('div', 'bars');
      Object.assign(canvas, { width: PAD_PIXELS, height: PAD_PIXELS });
      canvas.setAttribute('aria-label', `Drawing pad: draw a digit with the mouse, a pen or a finger, ${KEYBOARD_HELP}`);
      digit.setAttribute('aria-label', 'Predicted digit');
      bars.setAttribute('aria-label', 'Probability of each digit');
      const showBars = probabilityBars(bars, 10);
      elements.inputs.replaceChildren(element('div', 'dg', canvas, element('div', 'dg-side', element('div', 'dg-top', digit, clear), bars)));
      // probs: (10) or null (nothing drawn). The output records the stroke count it answers (for tests).
      show = (probs) => {
        const best = showBars(probs);
        digit.textContent = probs ? best : '?';
        Object.assign(digit.dataset, { digit: probs ? best : '', strokes });
      };
      let pad = null; // the constructor's clear() reports before pad is set
      pad = new DrawPad(canvas, {
        penWidth: 18,
        onChange: (reason) => {
          strokes = pad?.strokes ?? 0;
          if (reason === 'clear') {
            elements.out.textContent = '–';
            elements.lat.textContent = '';
            show(null);
            ask(null);
            return;
          }
          const drawn = preprocessRGBA(pad.pixels().data, PAD_PIXELS, PAD_PIXELS); // x: (28 * 28), like MNIST; null when blank
          if (drawn) ask(drawn.x);
        },
      });
      clear.addEventListener('click', () => pad.clear());
    },
    show: (probs) => show(probs),
  };
}

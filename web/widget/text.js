// <tiny-train demo="text">: a small GPT in the widget. Loaded with a dynamic import only by widgets with that demo,
// so the tokenizer, the prefix box and the sample strip stay out of what every widget loads (`make dist` makes
// them a part loaded on demand). The worker loads and tokenizes the corpus itself ({text: {...}}, web/text/corpus.js)
// from the `data` folder, or trains on a same-origin .txt file the `src` attribute names.
//
// The inference panel: a prefix box whose next-token probabilities update on every keystroke, the prefix as the
// tokens the model sees, "Continue" streaming a continuation token by token with its cost per token, and a strip of
// lines sampled from the latest snapshot about once a second while training.
import { Tokenizer } from '../text/tokenizer.js';
import { tokenChips, topTokenBars, topTokens, visibleToken } from '../views/tokens.js';
import { OWN_TEXT_LIMIT } from '../text/corpus.js';
import { gptSpec, GPT_SIZES } from '../text/gpt.js';
import { Model } from '../../wasm/tinytrain.js';
import { bad } from './config.js';
import { element, adoptStyles } from './dom.js';

const TOP_TOKENS = 5;         // bars under the prefix box
const ANSWER_TOKENS = 120;    // a continuation's length
const SAMPLE_LINES = 3;       // lines in the sample strip
const SAMPLE_TOKENS = 40;     // at most, per sampled line
const SAMPLE_EVERY_MS = 1000;
const FRAME_BUDGET_MS = 4;    // generation work per animation frame, so the page never has a long task
const TEMPERATURE = 0.8;      // of a continuation: a little more likely than the model's raw draws

const CSS = `
.tx {
  display: grid;
  gap: 6px;
  width: 100%;
}
.tx-prefix {
  width: 100%;
  box-sizing: border-box;
  font: inherit;
  padding: 4px 6px;
}
.tx-tokens, .tx-answer, .tx-samples {
  font-family: ui-monospace, Menlo, monospace;
  font-size: 12px;
  overflow-wrap: anywhere;
  white-space: pre-wrap;
}
.tx-tokens {
  min-height: calc(1.4em + 1.4 * 9px + 2px); /* a line of chips (.chip, .id): the room they need before they come */
}
.tx-tokens .chip {
  display: inline-flex;
  flex-direction: column;
  align-items: center;
  margin: 0 2px 2px 0;
  padding: 0 3px;
  border-radius: 3px;
  background: var(--bg); /* the muted id on it reads at 4.5:1 or more, light and dark */
  box-shadow: inset 0 0 0 1px var(--line);
}
.tx-tokens .id {
  font-size: 9px;
  color: var(--mute);
}
.tx-tokens .unknown {
  outline: 1px dashed var(--fg);
  background: none;
}
.tx-top .row {
  min-height: 1.4em; /* a row's height before its label comes */
  display: grid;
  grid-template-columns: 3.5em 1fr 4em;
  gap: 5px;
  align-items: center;
  font-size: 11px;
  color: var(--mute);
}
.tx-top .track {
  height: 8px;
  background: var(--line);
  border-radius: 4px;
  overflow: hidden;
}
.tx-top .fill {
  display: block;
  height: 100%;
  background: var(--mute);
}
.tx-top .best .fill {
  background: var(--accent);
}
.tx-row {
  display: flex;
  gap: 8px;
  align-items: center;
  flex-wrap: wrap;
}
.tx-answer mark {
  background: none;
  color: var(--accent);
}
.tx-samples {
  color: var(--mute);
  min-height: 4.2em; /* SAMPLE_LINES lines, before they come */
}`;


/**
 * The widget's data object for demo="text" (config, checked by web/widget/config.js): the window as its feature
 * count, what the Trainer is given (feed), the GPT spec (the worker sizes it for the tokenizer's vocabulary), and
 * mount/refresh for the inference panel. The corpus files are in the folder config.data names (relative to the
 * page), or else in defaultFolder (a URL the element gives).
 */
export async function text(config, defaultFolder) {
  let source;
  if (/\.txt$/i.test(config.src)) {
    source = { corpus: 'own', text: await fetchText(config.src) };
  } else {
    const folder = new URL(config.data || defaultFolder, document.baseURI);
    if (folder.origin !== location.origin) bad('data', 'a folder on this site', config.data);
    source = { corpus: config.corpus, base: folder.href.replace(/\/?$/, '/') }; // absolute: the worker's base differs
  }
  const panel = new TextPanel(config);
  return {
    features: GPT_SIZES[config.size].window,
    classes: 0,
    feed: { text: { ...source, tokenizer: config.tokenizer } },
    spec: gptSpec({ vocab: 2, size: config.size, lr: config.lr, seed: config.seed }),
    opts: {},
    mount: (elements, ask, emit) => panel.mount(elements, emit),
    refresh: (model) => panel.refresh(model),
  };
}

// Same-origin only, at most OWN_TEXT_LIMIT bytes; the worker checks that it is text.
async function fetchText(src) {
  const url = new URL(src, document.baseURI);
  if (url.origin !== location.origin) throw new Error(`src: only files from this site can be used, got ${url.origin}`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`src: could not load ${src} (HTTP ${response.status})`);
  const length = Number(response.headers.get('content-length'));
  const limit = `${OWN_TEXT_LIMIT / 1024 / 1024} MB`;
  if (length > OWN_TEXT_LIMIT) throw new Error(`src: ${src} is larger than ${limit}; at most ${limit} of text is supported`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > OWN_TEXT_LIMIT) throw new Error(`src: ${src} is larger than ${limit}; at most ${limit} of text is supported`);
  return bytes;
}

class TextPanel {
  constructor(config) {
    this.config = config;
    this.model = null;        // the model that answers now (the widget's predictor or a file's)
    this.tokenizer = null;    // from the model's vocabulary
    this.generator = null;    // a copy of the model for "Continue", so snapshots do not change it mid-answer
    this.generatorOf = null;  // the model it copies
    this.sampledAt = -Infinity;
    this.sampleTimer = 0;     // a sampling due at the end of the current second
    this.nextTimer = 0;       // the bars' update, due in a task of its own
    this.sampledStep = -1;
    this.answering = 0;       // bumped by every Continue: a newer one ends the older
    this.continueAsked = false; // Continue pressed before the first model arrived
  }

  mount(elements, emit) {
    adoptStyles(elements.inputs, CSS);
    this.emit = emit;
    this.out = elements.out;
    this.lat = elements.lat;
    this.prefix = Object.assign(element('input', 'tx-prefix'), { type: 'text', value: this.config.prefix, spellcheck: false });
    this.prefix.setAttribute('aria-label', 'Prefix: the text the model continues');
    this.tokens = element('div', 'tx-tokens');
    this.tokens.setAttribute('aria-label', 'The prefix as the tokens the model sees');
    this.showChips = tokenChips(this.tokens);
    this.top = element('div', 'tx-top');
    this.top.setAttribute('aria-label', 'Most likely next tokens');
    this.showTop = topTokenBars(this.top, TOP_TOKENS);
    this.go = element('button', 'tx-go', 'Continue');
    this.speed = element('output', 'tx-speed');
    this.answer = element('div', 'tx-answer');
    this.answer.setAttribute('aria-live', 'polite');
    this.samples = element('div', 'tx-samples');
    this.samples.setAttribute('role', 'group');
    this.samples.setAttribute('aria-label', 'Lines sampled from the latest weights');
    elements.inputs.replaceChildren(element('div', 'tx', this.prefix, this.tokens, this.top,
      element('div', 'tx-row', this.go, this.speed), this.answer, this.samples));
    this.prefix.addEventListener('input', () => this.showNext());
    this.go.addEventListener('click', () => this.continueText());
  }

  // A new snapshot (or the first model): the bars follow it in a task of their own (not in the widget's drawing
  // frame: a model's first answers run on cold code, a phone's frame or more); the sample strip about once a second.
  refresh(model) {
    if (!model || !this.prefix) return;
    if (model !== this.model) {
      this.model = model;
      this.tokenizer = Tokenizer.fromVocabulary(model.vocabulary ?? bad('src', 'a language model with a vocabulary', 'none'));
    }
    this.nextTimer ||= setTimeout(() => {
      this.nextTimer = 0;
      if (this.prefix.isConnected) this.showNext();
    });
    if (this.continueAsked) this.continueText();
    // Samples at most once a second, and always from the last weights: a refresh inside the second is caught up
    // at its end (the last snapshot of a short run too).
    if (this.sampleTimer) return;
    const wait = this.sampledAt + SAMPLE_EVERY_MS - performance.now();
    this.sampleTimer = setTimeout(() => {
      this.sampleTimer = 0;
      if (!this.samples.isConnected) return; // the widget was rebuilt: a new panel answers
      this.sampledAt = performance.now();
      this.showSamples();
    }, Math.max(0, wait));
  }

  // The prompt the model is given: the prefix's known tokens, or a line start when there are none.
  prompt() {
    const { ids, pieces } = this.tokenizer.encodeForDisplay(this.prefix.value);
    const start = this.tokenizer.vocabulary.indexOf('\n');
    return { ids: ids.length ? ids : Int32Array.of(Math.max(start, 0)), pieces };
  }

  // The prefix as tokens (characters outside the vocabulary marked) and the most likely next tokens as bars.
  showNext() {
    if (!this.model || !this.tokenizer) return;
    const { ids, pieces } = this.prompt();
    this.showChips(pieces);
    const top = topTokens(this.model.nextTokenProbabilities(ids), this.tokenizer.vocabulary, TOP_TOKENS);
    this.showTop(top);
    this.out.textContent = `next: ${visibleToken(top[0].text)}`;
  }

  // A few lines sampled at temperature 1 from the latest weights (a few hundred tokens: about a millisecond), a line
  // a task: the first samples run on cold code, a phone's frame or more each.
  async showSamples() {
    const newline = this.tokenizer.vocabulary.indexOf('\n');
    const lines = [];
    for (let k = 0; k < SAMPLE_LINES; k++) {
      // a task of its own (timing.js's nextTask, not imported: that would put timing.js in a chunk of its own, which
      // every widget's first load would then fetch)
      if (k) await new Promise((resolve) => setTimeout(resolve));
      if (!this.samples.isConnected) return; // the widget was rebuilt: a new panel answers
      const ids = [];
      const tokens = this.model.startGeneration(Int32Array.of(Math.max(newline, 0)), {
        maxTokens: SAMPLE_TOKENS, seed: this.config.seed + ++this.sampledStep, topK: 0,
      });
      for (const id of tokens) {
        if (id === newline) break;
        ids.push(id);
      }
      lines.push(this.tokenizer.decode(ids));
    }
    this.samples.textContent = lines.join('\n');
  }

  // Streams a continuation of the prefix, a few ms of tokens per frame, and measures µs per token on the page.
  continueText() {
    this.continueAsked = !this.model;
    if (!this.model) return;
    const run = ++this.answering; // an answer still streaming stops at its next frame
    if (this.generatorOf !== this.model) { // a new model (a file's, then the trainer's): a copy of it
      this.generator?.then((generator) => generator.dispose(), () => {});
      this.generator = Model.load(this.model.save());
      this.generatorOf = this.model;
    }
    this.generator.then((generator) => {
      if (run !== this.answering) return;
      generator.setWeights(this.model.getWeights());
      const { ids } = this.prompt();
      const tokens = generator.startGeneration(ids, {
        maxTokens: ANSWER_TOKENS, temperature: TEMPERATURE, seed: this.config.seed,
      });
      const written = [];
      const shown = element('mark', '');
      this.answer.replaceChildren(this.prefix.value, shown);
      let spentMs = 0;
      const frame = () => {
        if (run !== this.answering) return;
        const t0 = performance.now();
        let next;
        while (!(next = tokens.next()).done) {
          written.push(next.value);
          if (performance.now() - t0 > FRAME_BUDGET_MS) break;
        }
        spentMs += performance.now() - t0;
        shown.textContent = this.tokenizer.decode(written);
        const perToken = (1000 * spentMs) / Math.max(1, written.length);
        this.speed.textContent = `${perToken.toFixed(1)} µs per token, ${Math.round(1e6 / perToken)} tokens/s`;
        this.lat.textContent = `${perToken.toFixed(1)} µs/token`;
        if (!next.done) return requestAnimationFrame(frame);
        this.emit('generated', { prefix: this.prefix.value, text: shown.textContent, tokens: written.length,
          microsecondsPerToken: perToken });
      };
      requestAnimationFrame(frame);
    }).catch((err) => this.emit('error', { message: err.message, kind: 'generate' }));
  }
}

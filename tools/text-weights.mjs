#!/usr/bin/env node
// The text page's pretrained "words" model, trained at build time by our own engine (wasm/tinytrain.js in Node) on
// the words corpus's training stream (tools/words-data.mjs), seeded, so the page answers before the reader has
// trained anything. The file carries the spec and the vocabulary (WORDS_VOCABULARY), so loading it is enough.
//
//   node tools/text-weights.mjs [--out DIR] [--steps N]  ->  DIR/words-gpt.safetensors (default demos/data/generated)
//                                                            and DIR/words-gpt-early.safetensors
//
// The same run saved after its first WORDS_GPT_EARLY_STEPS steps is the article's barely trained model, shown beside
// the trained one: the same network, answering as fast, only less trained.
//
// The recipe is the benchmark's words GPT (web/text/gpt.js gptSpec 'small', AdamW with GPT_DEFAULTS, batch 32).
// Prints the held-out loss and the wall time, so the build log records what was shipped; fails if the held-out
// loss is above WORDS_GPT_MAX_HELDOUT_LOSS (a broken recipe or core must not ship a model that spells badly).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Model } from '../wasm/tinytrain.js';
import { gptSpec, WORDS_GPT_RECIPE } from '../web/text/gpt.js';

export { WORDS_GPT_RECIPE };
import { WORDS_VOCABULARY } from '../web/words.js';
import { loadWordsNode, WORDS_OUT_DIR } from './words-data.mjs';

export const WORDS_GPT_FILE = 'words-gpt.safetensors';
// The same recipe in PyTorch reaches 2.154 nats per character after 2,000 steps (bench/); a uniform guess over
// 27 tokens is ln 27 = 3.30, and the unigram letter frequencies alone give about 2.9.
export const WORDS_GPT_MAX_HELDOUT_LOSS = 2.2;
export const WORDS_GPT_EARLY_FILE = 'words-gpt-early.safetensors';
export const WORDS_GPT_EARLY_STEPS = 300;

/** Trains the words GPT; returns {bytes, heldoutLoss, seconds, early: {bytes, heldoutLoss, steps}} (early: the
 * weights after earlySteps, when the run gets there). log(line) for progress. */
export async function trainWordsGpt({ steps = WORDS_GPT_RECIPE.steps, earlySteps = WORDS_GPT_EARLY_STEPS,
  words = loadWordsNode(), log = () => {} } = {}) {
  const { size, lr, seed, batchSize } = WORDS_GPT_RECIPE;
  const model = await Model.create(gptSpec({ vocab: WORDS_VOCABULARY.length, size, lr, seed }));
  try {
    model.setVocabulary(WORDS_VOCABULARY);
    model.setTokens(words.train);
    const t0 = performance.now();
    const chunk = 250;
    let early = null, spent = 0;
    for (let done = 0; done < steps;) {
      const n = Math.min(chunk, steps - done, done < earlySteps ? earlySteps - done : Infinity);
      const { loss } = model.trainSteps(n, batchSize);
      done += n;
      spent = (performance.now() - t0) / 1000;
      log(`words-gpt: step ${done}/${steps}  training loss ${loss.toFixed(4)}  ${spent.toFixed(1)} s`);
      if (done === earlySteps) early = { bytes: model.save(), heldoutLoss: model.evaluateTokens(words.heldout).loss, steps: done };
    }
    const heldoutLoss = model.evaluateTokens(words.heldout).loss;
    return { bytes: model.save(), heldoutLoss, seconds: spent, early };
  } finally {
    model.dispose();
  }
}

// Command line.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let outDir = WORDS_OUT_DIR, steps = WORDS_GPT_RECIPE.steps;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') outDir = path.resolve(args[++i] ?? '');
    else if (args[i] === '--steps') steps = Number(args[++i]);
    else { console.error(`usage: node tools/text-weights.mjs [--out DIR] [--steps N] (unknown: ${args[i]})`); process.exit(2); }
  }
  try {
    const r = await trainWordsGpt({ steps, log: console.log });
    if (!(r.heldoutLoss <= WORDS_GPT_MAX_HELDOUT_LOSS)) {
      throw new Error(`held-out loss ${r.heldoutLoss.toFixed(4)} is above ${WORDS_GPT_MAX_HELDOUT_LOSS}; ` +
                      'the page promises a model that spells well');
    }
    if (!r.early) throw new Error(`--steps ${steps}: at least ${WORDS_GPT_EARLY_STEPS} steps make both files`);
    fs.mkdirSync(outDir, { recursive: true });
    for (const [name, bytes] of [[WORDS_GPT_FILE, r.bytes], [WORDS_GPT_EARLY_FILE, r.early.bytes]]) {
      const file = path.join(outDir, name), tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, bytes); // then rename: a page being served never reads half a file
      fs.renameSync(tmp, file);
    }
    console.log(`${WORDS_GPT_FILE}: ${r.bytes.length} bytes, ${steps} steps in ${r.seconds.toFixed(1)} s, ` +
                `held-out loss ${r.heldoutLoss.toFixed(4)} nats per character`);
    console.log(`${WORDS_GPT_EARLY_FILE}: after ${r.early.steps} steps, held-out loss ${r.early.heldoutLoss.toFixed(4)}`);
  } catch (e) {
    console.error(`text-weights: ${e.message}`);
    process.exit(1);
  }
}

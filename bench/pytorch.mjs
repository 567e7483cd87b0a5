// PyTorch eager on one thread (torch.set_num_threads(1)), the reference for the words GPT: bench/pytorch-gpt.py
// through /usr/bin/python3 (the Debian python3-torch), with tinytrain's initial weights (saved here, loaded with
// tools/tinytrain_torch.py) and tinytrain's batches (the same seeded window draw), so both runs are the same
// recipe. Usage: node bench/pytorch.mjs <gpt-train|gpt-generate|gpt-quality>.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Model } from '../wasm/tinytrain.js';
import { GPT, TIME, SETTLE, CLOCK, gptSpec, words, wordShare, emit, emitQuality, runSystem, GPT_DECODE_ROW,
         GPT_PREFILL_ROW } from './common.mjs';
import { outputPaths } from '../tools/words-data.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = process.env.PYTHON || '/usr/bin/python3';
const DIR = path.join(ROOT, 'build', 'bench');

async function python(task, extra = {}) {
  words(); // converts the corpus if needed
  fs.mkdirSync(DIR, { recursive: true });
  const init = path.join(DIR, `gpt-init.${process.pid}.safetensors`);
  const config = path.join(DIR, `gpt-config.${process.pid}.json`);
  const m = await Model.create(gptSpec());
  fs.writeFileSync(init, m.save());
  m.dispose();
  const streams = outputPaths();
  fs.writeFileSync(config, JSON.stringify({ init, train: streams.train, heldout: streams.heldout, batch: GPT.batch,
                                            settle: SETTLE, time: TIME, clock: CLOCK, seed: 1, ...extra }));
  try {
    const r = spawnSync(PYTHON, [path.join(ROOT, 'bench', 'pytorch-gpt.py'), task, config],
                        { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.error) throw new Error(`${PYTHON}: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`${PYTHON} bench/pytorch-gpt.py ${task}: ${r.stderr.trim().split('\n').at(-1)}`);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1));
    if (out.threads !== 1) throw new Error(`PyTorch ran on ${out.threads} threads, not 1`);
    return out;
  } finally {
    fs.rmSync(init, { force: true });
    fs.rmSync(config, { force: true });
  }
}

await runSystem('pytorch', {
  'gpt-train': async () => {
    const r = await python('train-rate');
    return { value: r.value, note: `torch ${r.torch}, loss ${r.loss.toFixed(3)}, ${r.chunks} chunks of 5 steps` };
  },
  'gpt-generate': async () => {
    const r = await python('generate');
    emit('pytorch', 'gpt-generate', GPT_DECODE_ROW, 'ok', r.value,
         `torch ${r.torch}; median of 5 runs of ${GPT.generateTokens} tokens`,
         'PyTorch decodes without a key/value cache: each token recomputes the window (up to 16 positions)');
    emit('pytorch', 'gpt-generate', GPT_PREFILL_ROW, 'ok', r.prefill, '', '', { unit: 'µs' });
  },
  'gpt-quality': async () => {
    const r = await python('quality', { steps: GPT.steps, lines: GPT.lines });
    const share = wordShare(Uint8Array.from(r.sample));
    emitQuality('pytorch', r.value, r.seconds, share,
                `torch ${r.torch}, training loss ${r.trainLoss.toFixed(3)} over the last 100 steps`);
  },
});

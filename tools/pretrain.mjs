#!/usr/bin/env node
// Trains the Digits demo's pretrained models with our own engine (wasm/tinytrain.js in Node) at build time and
// writes them as safetensors (model.save(): PyTorch names, the spec in the metadata):
//
//   demos/data/generated/digits-mlp.safetensors   784-128-10 MLP
//   demos/data/generated/digits-cnn.safetensors   the LeNet-like CNN of demos/digits/models.js
//
// Seeded (spec seed + the core's seeded shuffling), trained on the 8,000 training digits only, so the 2,000
// held-out digits stay unseen by the pretrained models too. No binary is committed; `make data` runs this.
//
// Usage: node tools/pretrain.mjs [--out DIR] [--only mlp|cnn] [--epochs N]
// Prints per-epoch loss and held-out accuracy, and the wall time, so the build log records what was shipped.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Model } from '../wasm/tinytrain.js';
import { loadMnistNode, MNIST_OUT_DIR } from './mnist-data.mjs';
import { PRETRAIN } from '../demos/digits/models.js';

/** Trains one recipe of PRETRAIN; returns {bytes, accuracy, seconds, history}. log(line) for progress. */
export async function pretrain(name, { epochs, train, test, log = () => {} } = {}) {
  const recipe = PRETRAIN[name];
  if (!recipe) throw new Error(`pretrain: unknown model ${JSON.stringify(name)}; expected one of ${Object.keys(PRETRAIN).join(', ')}`);
  train ??= loadMnistNode('train');
  test ??= loadMnistNode('test');
  const model = await Model.create(recipe.spec);
  try {
    const t0 = performance.now();
    const history = [];
    model.fit(train.x, train.y, {
      epochs: epochs ?? recipe.epochs,
      batchSize: recipe.batchSize,
      onEpoch: ({ epoch, loss }) => {
        const { accuracy } = model.evaluate(test.x, test.y);
        const seconds = (performance.now() - t0) / 1000;
        history.push({ epoch, loss, testAccuracy: accuracy, seconds });
        log(`${name}: epoch ${epoch}  loss ${loss.toFixed(4)}  held-out ${(accuracy * 100).toFixed(2)}%  ${seconds.toFixed(1)} s`);
      },
    });
    const last = history[history.length - 1];
    return { bytes: model.save(), accuracy: last.testAccuracy, seconds: last.seconds, history };
  } finally {
    model.dispose();
  }
}

// Command line.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let outDir = MNIST_OUT_DIR, only = null, epochs;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') outDir = path.resolve(args[++i] ?? '');
    else if (args[i] === '--only') only = args[++i];
    else if (args[i] === '--epochs') epochs = Number(args[++i]);
    else {
      console.error(`usage: node tools/pretrain.mjs [--out DIR] [--only mlp|cnn] [--epochs N] (unknown: ${args[i]})`);
      process.exit(2);
    }
  }
  if (epochs !== undefined && !(Number.isInteger(epochs) && epochs > 0)) {
    console.error(`--epochs: expected a positive integer, got ${args[args.indexOf('--epochs') + 1]}`);
    process.exit(2);
  }
  try {
    const train = loadMnistNode('train'), test = loadMnistNode('test');
    fs.mkdirSync(outDir, { recursive: true });
    for (const name of only ? [only] : Object.keys(PRETRAIN)) {
      const r = await pretrain(name, { epochs, train, test, log: (s) => console.log(s) });
      // Write then rename, so a page being served meanwhile never reads half a file.
      const file = path.join(outDir, PRETRAIN[name].file);
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, r.bytes);
      fs.renameSync(tmp, file);
      console.log(`${name}: wrote ${path.relative(process.cwd(), file)} (${r.bytes.length} bytes), ` +
                  `held-out ${(r.accuracy * 100).toFixed(2)}% after ${r.seconds.toFixed(1)} s`);
    }
  } catch (e) {
    console.error(`pretrain: ${e.message}`);
    process.exit(1);
  }
}

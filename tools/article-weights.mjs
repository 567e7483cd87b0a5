#!/usr/bin/env node
// The article's pretrained widget weights, trained at build time by our own engine (wasm/tinytrain.js in Node),
// seeded, on exactly the points the widget shows (web/widget/config.js + web/datasets.js), so the reader's
// pretrained widget is instantly right on its own data. No binary is committed; `make data` runs this.
//
//   node tools/article-weights.mjs [--out DIR]   ->  DIR/article-spiral.safetensors (default demos/data/generated)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Model } from '../wasm/tinytrain.js';
import { makeDataset } from '../web/datasets.js';
import { readConfig, buildSpec } from '../web/widget/config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The attributes of the article's pretrained widget; the file carries the resulting spec.
export const ARTICLE_MODELS = Object.freeze({
  'article-spiral.safetensors': { demo: 'spiral', layers: '16 relu, 16 relu', seed: '7', epochs: 300 },
});

/** Trains one model; returns {bytes, testAccuracy}. The data are the widget's: seed 1, 30% held out. */
export async function trainArticleModel({ demo, layers, seed, epochs }) {
  const { config, problems } = readConfig((n) => ({ demo, layers, seed })[n] ?? null);
  if (problems.length) throw new Error(problems.join('; '));
  const d = makeDataset(demo, { seed: 1, testFraction: 0.3 });
  const m = await Model.create(buildSpec(config, d.inputSize, d.classes));
  try {
    m.fit(d.x, d.y, { epochs, batchSize: config['batch-size'] });
    return { bytes: m.save(), testAccuracy: m.evaluate(d.testX, d.testY).accuracy };
  } finally {
    m.dispose();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const out = args[0] === '--out' && args[1] ? path.resolve(args[1]) : path.join(ROOT, 'demos/data/generated');
  try {
    fs.mkdirSync(out, { recursive: true });
    for (const [name, recipe] of Object.entries(ARTICLE_MODELS)) {
      const t0 = performance.now();
      const r = await trainArticleModel(recipe);
      const file = path.join(out, name), tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, r.bytes); // then rename: a page being served never reads half a file
      fs.renameSync(tmp, file);
      console.log(`${name}: ${r.bytes.length} bytes, held-out accuracy ${(100 * r.testAccuracy).toFixed(1)}%, ` +
        `${((performance.now() - t0) / 1000).toFixed(1)} s`);
      if (r.testAccuracy < 0.9) throw new Error(`${name}: held-out accuracy below 90%; the article promises a good model`);
    }
  } catch (e) {
    console.error(`article-weights: ${e.message}`);
    process.exit(1);
  }
}

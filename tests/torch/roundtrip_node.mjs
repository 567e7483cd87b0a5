// The tinytrain (Node + wasm) side of tests/torch/roundtrip.py. Files are raw little-endian float32 (.f32).
//   node roundtrip_node.mjs train <spec.json> <x.f32> <y.f32> <epochs> <out.safetensors> <preds.f32>
//       Model.create(spec), fit on (x, y), save, and predict(x) into preds.
//   node roundtrip_node.mjs digits <mlp|cnn> <n> <epochs> <out.safetensors> <x.f32> <preds.f32>
//       the digits demo's spec trained on the first n MNIST training digits; writes those digits and predict().
//   node roundtrip_node.mjs continue <in.safetensors> <x.f32> <y.f32> <epochs> <preds.f32> <report.json>
//       Model.load(file): predict(x) before training into preds, then fit more; the report has the loss before
//       and after and the paramCount.
//   node roundtrip_node.mjs steps <in.safetensors> <x.f32> <y.f32> <batches> <preds.f32> <losses.f32> [<out>]
//       Model.load(file): predict on the first batch into preds, then one trainBatch on each of the equal
//       batches that x and y split into, in order; the losses of the steps into losses; the trained model into out.
//   node roundtrip_node.mjs generate <in.safetensors> <prompt.f32> <count> <ids.f32>
//       Model.load(file): count tokens of greedy generation (temperature 0, the key/value cache) after the prompt.
import fs from 'node:fs';
import { Model } from '../../wasm/tinytrain.js';

const f32 = (path) => { const b = fs.readFileSync(path); return new Float32Array(b.buffer, b.byteOffset, b.length / 4); };
const writeF32 = (path, a) => fs.writeFileSync(path, Buffer.from(a.buffer, a.byteOffset, a.byteLength));

const [mode, ...args] = process.argv.slice(2);
if (mode === 'train') {
  const [specPath, xPath, yPath, epochs, out, preds] = args;
  const m = await Model.create(fs.readFileSync(specPath, 'utf8'));
  const x = f32(xPath), y = f32(yPath);
  m.fit(x, y, { epochs: Number(epochs), batchSize: 16, shuffle: true });
  fs.writeFileSync(out, m.save());
  writeF32(preds, m.predict(x));
  m.dispose();
} else if (mode === 'digits') {
  const [which, n, epochs, out, xOut, preds] = args;
  const { MODELS } = await import('../../demos/digits/models.js');
  const { loadMnistNode } = await import('../../tools/mnist-data.mjs');
  const d = loadMnistNode('train');
  const count = Math.min(Number(n), d.n), size = d.x.length / d.n;
  const x = d.x.slice(0, count * size), y = d.y.slice(0, count);
  const m = await Model.create(MODELS[which]);
  m.fit(x, y, { epochs: Number(epochs), batchSize: 32, shuffle: true });
  fs.writeFileSync(out, m.save());
  writeF32(xOut, x);
  writeF32(preds, m.predict(x));
  process.stderr.write(`digits ${which}: trained on ${count}, accuracy ${m.evaluate(x, y).accuracy.toFixed(3)}\n`);
  m.dispose();
} else if (mode === 'continue') {
  const [file, xPath, yPath, epochs, preds, report] = args;
  const m = await Model.load(fs.readFileSync(file));
  const x = f32(xPath), y = f32(yPath);
  writeF32(preds, m.predict(x));
  const before = m.evaluate(x, y).loss;
  m.fit(x, y, { epochs: Number(epochs), batchSize: 16, shuffle: true });
  const after = m.evaluate(x, y).loss;
  fs.writeFileSync(report, JSON.stringify({ before, after, paramCount: m.paramCount }));
  m.dispose();
} else if (mode === 'steps') {
  const [file, xPath, yPath, batches, preds, losses] = args;
  const m = await Model.load(fs.readFileSync(file));
  const x = f32(xPath), y = f32(yPath), n = Number(batches);
  const xn = x.length / n, yn = y.length / n;
  writeF32(preds, m.predict(x.subarray(0, xn)));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = m.trainBatch(x.subarray(i * xn, (i + 1) * xn), y.subarray(i * yn, (i + 1) * yn));
  writeF32(losses, out);
  if (args[6]) fs.writeFileSync(args[6], m.save());
  m.dispose();
} else if (mode === 'generate') {
  const [file, promptPath, count, idsPath] = args;
  const m = await Model.load(fs.readFileSync(file));
  const ids = m.generate(Array.from(f32(promptPath)), { maxTokens: Number(count), temperature: 0 });
  writeF32(idsPath, Float32Array.from(ids));
  m.dispose();
} else {
  process.stderr.write('usage: see the top of tests/torch/roundtrip_node.mjs\n');
  process.exit(2);
}

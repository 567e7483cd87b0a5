// tinytrain's native CLI (build/tinytrain: the C core with the SIMD twins compiled for x86-64 with SSE4.1, see
// src/kernels/simd128_native.h), training from a CSV file of the same MNIST split and the same spec as the other
// systems. The rate is the CLI's own figure for its epochs (CSV parsing and start-up left out), so it sits beside
// tinytrain's wasm row as the same engine without the browser. Usage: node bench/tinytrain-cli.mjs <case>.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MLP, CNN, TIME, mnist, mlpSpec, cnnSpec, runSystem, runKernelTwins } from './common.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'build', 'tinytrain');
const DIR = path.join(ROOT, 'build', 'bench');

// The training split as CSV (784 pixels, then the label), written once into DIR (cliRate makes it). Pixels are
// k/255 to three decimals in the source data (tools/mnist-data.mjs), so three decimals give the CLI the very floats
// the other systems train on.
function trainCsv() {
  const file = path.join(DIR, 'mnist-train.csv');
  if (fs.existsSync(file)) return file;
  const { x, y, n } = mnist('train');
  const lines = [];
  for (let i = 0; i < n; i++) lines.push(`${Array.from(x.subarray(i * 784, (i + 1) * 784), (v) => +v.toFixed(3)).join(',')},${y[i]}`);
  fs.writeFileSync(`${file}.tmp`, lines.join('\n') + '\n');
  fs.renameSync(`${file}.tmp`, file); // a process killed mid-write leaves no truncated file behind
  return file;
}

// Samples/s over `epochs` passes of the CLI's `train` (its last line: "N epochs in T s (R samples/s)").
function cliRate(spec, batch, epochs) {
  if (!fs.existsSync(CLI)) throw new Error('build/tinytrain is missing: run make first');
  const specFile = path.join(DIR, `spec-${process.pid}.json`);
  fs.mkdirSync(DIR, { recursive: true });
  fs.writeFileSync(specFile, JSON.stringify(spec));
  try {
    // the CLI reports its progress on stderr (stdout is for results such as predictions)
    const run = spawnSync(CLI, ['train', '--spec', specFile, '--data', trainCsv(), '--epochs', String(epochs),
                                '--batch-size', String(batch)], { encoding: 'utf8' });
    const out = run.stderr ?? '';
    if (run.status !== 0) throw new Error(`tinytrain train failed: ${out.trim().split('\n').at(-1)}`);
    const m = /epochs? in [\d.]+ s \(([\d.]+) samples\/s\)/.exec(out);
    if (!m) throw new Error(`unexpected output of tinytrain train: ${out.trim().split('\n').at(-1)}`);
    return { value: Number(m[1]), note: out.trim().split('\n').filter((l) => l.startsWith('epoch')).at(-1) ?? '' };
  } finally {
    fs.rmSync(specFile, { force: true });
  }
}

// Epochs of the 8,000-digit split for about TIME seconds at the rates this machine gives (at least one).
await runSystem('tinytrain-cli', {
  'mlp-sgd': () => cliRate(mlpSpec('sgd'), MLP.batch, Math.max(1, Math.round(6 * TIME))),
  'mlp-adam': () => cliRate(mlpSpec('adam'), MLP.batch, Math.max(1, Math.round(6 * TIME))),
  'cnn-adam': () => cliRate(cnnSpec(), CNN.batch, Math.max(1, Math.round(TIME))),
  // the kernels compiled as the CLI compiles them (bench/kernels/kernels.mk), not through the CLI itself
  kernels: () => runKernelTwins('tinytrain-cli', path.join(ROOT, 'build', 'bench', 'kernels', 'bench_twins_native')),
});

// Models trained for the thread-count checks (tests/js/threads.test.mjs in Node, tests/e2e/threads.test.mjs in a
// Chromium worker): each trains a few steps on seeded synthetic data shaped like the demos' (mostly-zero pixels, so the
// sparse convolution passes run too) and gives a hash of its weights. Plain JS: it runs in Node and in a worker.

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

// n samples of `size` values, a `density` share of them nonzero, and labels below `classes`
function data(n, size, density, classes, seed) {
  const r = rng(seed);
  const x = new Float32Array(n * size).map(() => (r() < density ? r() * 2 - 0.5 : 0));
  const y = new Float32Array(n).map(() => Math.floor(r() * classes));
  return { x, y };
}

const conv = (filters) => ({ type: 'conv2d', filters, kernel: 5, padding: 'same' });
const cnnLayers = [conv(8), { type: 'relu' }, { type: 'maxpool2d', size: 2 }, conv(16), { type: 'relu' },
  { type: 'maxpool2d', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 10 }];

export const CASES = [
  { name: 'mlp adam, batch 64', batch: 64, steps: 6, data: () => data(256, 784, 0.2, 10, 1),
    spec: { input: [784], layers: [{ type: 'dense', units: 128 }, { type: 'relu' }, { type: 'dense', units: 10 }],
            loss: 'cross_entropy', optimizer: { type: 'adam', lr: 0.001 }, seed: 1 } },
  { name: 'mlp sgd momentum, batch 61', batch: 61, steps: 6, data: () => data(200, 784, 0.9, 10, 2),
    spec: { input: [784], layers: [{ type: 'dense', units: 100 }, { type: 'tanh' }, { type: 'dense', units: 10 }],
            loss: 'cross_entropy', optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9 }, seed: 2 } },
  { name: 'cnn adam, sparse pixels, batch 32', batch: 32, steps: 3, data: () => data(96, 784, 0.19, 10, 3),
    spec: { input: [1, 28, 28], layers: cnnLayers, loss: 'cross_entropy', optimizer: { type: 'adam', lr: 0.001 }, seed: 3 } },
  { name: 'cnn sgd, dense pixels, batch 17', batch: 17, steps: 3, data: () => data(51, 784, 1, 10, 4),
    spec: { input: [1, 28, 28], layers: cnnLayers, loss: 'cross_entropy', optimizer: { type: 'sgd', lr: 0.01 }, seed: 4 } },
  // odd sizes for the convolutions' splits: 3 channels of 13x11, 3x3 kernels, 5 and 7 filters (kernel rows of 15
  // and 35 floats in 1 and 3 tiles of 16), batch 29; sparse pixels and pooled gradients, so the sparse passes run;
  // tanh, fused into the first convolution, as the threaded build applies it in the convolution's chunks
  { name: 'odd cnn adam, batch 29', batch: 29, steps: 3, data: () => data(87, 3 * 13 * 11, 0.15, 10, 8),
    spec: { input: [3, 13, 11], layers: [{ type: 'conv2d', filters: 5, kernel: 3, padding: 1 }, { type: 'tanh' },
      { type: 'maxpool2d', size: 2 }, { type: 'conv2d', filters: 7, kernel: 3, padding: 1 }, { type: 'relu' },
      { type: 'maxpool2d', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 10 }],
    loss: 'cross_entropy', optimizer: { type: 'adam', lr: 0.003 }, seed: 8 } },
  { name: 'words gpt adamw, batch 32', batch: 32, steps: 3, tokens: 4000,
    spec: { input: [16], layers: [{ type: 'embedding', vocab: 27, dim: 64 }, { type: 'position_embedding', length: 16 },
      ...Array.from({ length: 2 }, () => [
        { type: 'residual', layers: [{ type: 'layernorm' }, { type: 'attention', heads: 4, causal: true }] },
        { type: 'residual', layers: [{ type: 'layernorm' }, { type: 'dense', units: 256 }, { type: 'gelu' },
          { type: 'dense', units: 64 }] }]).flat(),
      { type: 'layernorm' }, { type: 'dense', units: 27 }],
    loss: 'cross_entropy', optimizer: { type: 'adamw', lr: 0.003 }, seed: 5 } },
  // odd sizes: 15 positions, 30 features in 3 heads of 10, a vocabulary of 29 (rows longer than cross entropy's 16
  // kept exponentials), 37 hidden units, batch 41; large enough that every part a GPT step splits over threads is
  // split (the residual adds' 41·15·30 floats too), with one attention causal and one not
  { name: 'odd gpt adamw, batch 41', batch: 41, steps: 4, tokens: 3000, vocab: 29,
    spec: { input: [15], layers: [{ type: 'embedding', vocab: 29, dim: 30 }, { type: 'position_embedding', length: 15 },
      ...[true, false].map((causal) => [
        { type: 'residual', layers: [{ type: 'layernorm' }, { type: 'attention', heads: 3, causal }] },
        { type: 'residual', layers: [{ type: 'layernorm' }, { type: 'dense', units: 37 }, { type: 'gelu' },
          { type: 'dense', units: 30 }] }]).flat(),
      { type: 'layernorm' }, { type: 'dense', units: 29 }],
    loss: 'cross_entropy', optimizer: { type: 'adamw', lr: 0.01 }, seed: 6 } },
];

/** FNV-1a over the bits of the weights, as 8 hex digits. */
export function hashWeights(weights) {
  let h = 0x811c9dc5;
  for (const v of new Uint32Array(weights.buffer, weights.byteOffset, weights.length)) h = Math.imul(h ^ v, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** {name: hash of the weights after training} for every case, with Model (wasm/tinytrain.js) as loaded. */
export async function trainAll(Model) {
  const out = {};
  for (const c of CASES) {
    const model = await Model.create(c.spec);
    if (c.tokens) {
      const r = rng(7);
      model.setTokens(Uint16Array.from({ length: c.tokens }, () => Math.floor(r() * (c.vocab ?? 27))));
    } else {
      const { x, y } = c.data();
      model.setData(x, y);
    }
    model.trainSteps(c.steps, c.batch);
    out[c.name] = hashWeights(model.getWeights());
    model.dispose();
  }
  return out;
}

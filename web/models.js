// Model presets and the one builder of plain MLP specs, shared by the <tiny-train> widget, the demos and the
// tools, so "the digits CNN" or "momentum" means the same thing everywhere. Pure data, no DOM.
import { outputUnits } from './datasets.js';

// 784-128-10 with ReLU: the classic MLP (PyTorch reference on the demos' split: ~93.9% held-out after 5 epochs of
// Adam).
export const DIGITS_MLP = Object.freeze({
  input: [784],
  layers: [
    { type: 'dense', units: 128 }, { type: 'relu' },
    { type: 'dense', units: 10 },
  ],
  loss: 'cross_entropy',
  optimizer: { type: 'adam', lr: 0.001 },
  seed: 1,
});

// LeNet-like: conv 5x5x8 'same' + ReLU, maxpool 2, conv 5x5x16 'same' + ReLU, maxpool 2, dense 10
// (PyTorch reference: ~96.9% after 5 epochs, ~97.6% after 15).
export const DIGITS_CNN = Object.freeze({
  input: [1, 28, 28],
  layers: [
    { type: 'conv2d', filters: 8, kernel: 5, padding: 'same' }, { type: 'relu' },
    { type: 'maxpool2d', size: 2 },
    { type: 'conv2d', filters: 16, kernel: 5, padding: 'same' }, { type: 'relu' },
    { type: 'maxpool2d', size: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 10 },
  ],
  loss: 'cross_entropy',
  optimizer: { type: 'adam', lr: 0.001 },
  seed: 1,
});

/** The optimizer field for a menu choice: 'momentum' is sgd with momentum 0.9; the others are the core's own. */
export function optimizerSpec(choice, lr) {
  return choice === 'momentum' ? { type: 'sgd', lr, momentum: 0.9 } : { type: choice, lr };
}

/**
 * A plain MLP spec: `inputs` features, hidden layers [{units, act}] (act 'linear' adds no activation layer), then a
 * dense output sized for `classes` (0: regression) and the loss.
 */
export function mlpSpec({ inputs, hidden, classes, loss, optimizer, lr, seed }) {
  const layers = [];
  for (const { units, act } of hidden) {
    layers.push({ type: 'dense', units });
    if (act !== 'linear') layers.push({ type: act });
  }
  layers.push({ type: 'dense', units: outputUnits(classes, loss) });
  return { input: [inputs], layers, loss, optimizer: optimizerSpec(optimizer, lr), seed };
}

// Small GPTs for the text page and <tiny-train demo="text">: token and position embeddings, `blocks` pre-norm
// blocks (causal multi-head attention, then an MLP of 4·dim with GELU, each in a residual), a final layernorm and
// a dense layer to the vocabulary. `window` is the context T in tokens. 'small' is the recipe measured against
// PyTorch in bench/ (held-out 2.154 nats per character on the words corpus after 2,000 steps of batch 32).
export const GPT_SIZES = Object.freeze({
  tiny: Object.freeze({ dim: 32, heads: 2, blocks: 1, window: 16 }),
  small: Object.freeze({ dim: 64, heads: 4, blocks: 2, window: 16 }),
  medium: Object.freeze({ dim: 96, heads: 4, blocks: 3, window: 32 }),
});
export const GPT_DEFAULTS = Object.freeze({ size: 'small', lr: 0.003, batchSize: 32, seed: 1 });

/** A GPT spec for a vocabulary of `vocab` tokens; size is a GPT_SIZES name or {dim, heads, blocks, window}. */
export function gptSpec({ vocab, size = GPT_DEFAULTS.size, lr = GPT_DEFAULTS.lr, seed = GPT_DEFAULTS.seed }) {
  const s = typeof size === 'string' ? GPT_SIZES[size] : size;
  if (!s) throw new Error(`gptSpec: unknown size ${JSON.stringify(size)}; expected one of ${Object.keys(GPT_SIZES).join(', ')}`);
  const block = [
    { type: 'residual', layers: [{ type: 'layernorm' }, { type: 'attention', heads: s.heads, causal: true }] },
    { type: 'residual', layers: [{ type: 'layernorm' }, { type: 'dense', units: 4 * s.dim }, { type: 'gelu' },
                                 { type: 'dense', units: s.dim }] },
  ];
  return {
    input: [s.window],
    layers: [{ type: 'embedding', vocab, dim: s.dim }, { type: 'position_embedding', length: s.window },
             ...Array.from({ length: s.blocks }, () => block).flat(), { type: 'layernorm' }, { type: 'dense', units: vocab }],
    loss: 'cross_entropy',
    optimizer: { type: 'adamw', lr },
    seed,
  };
}

/** The same spec for another vocabulary size (the embedding's rows and the output layer's units). */
export function withVocabulary(spec, vocab) {
  const layers = spec.layers.map((l) => (l.type === 'embedding' ? { ...l, vocab } : l));
  const last = layers.length - 1;
  layers[last] = { ...layers[last], units: vocab };
  return { ...spec, layers };
}

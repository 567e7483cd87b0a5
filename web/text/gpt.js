// The GPT presets and the one builder of GPT specs, shared by the text page, <tiny-train demo="text">, the worker
// and the tools, so "the small GPT" means the same thing everywhere. Pure data, no DOM. Kept apart from
// web/models.js so what every widget loads carries none of it.
//
// Small GPTs: token and position embeddings, `blocks` pre-norm
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

// The pretrained words model's recipe (tools/text-weights.mjs trains it at `make data`; pages count its training
// from it): the 'small' GPT with the defaults, 2,000 steps of batch 32 on the words corpus.
export const WORDS_GPT_RECIPE = Object.freeze({
  size: 'small', lr: GPT_DEFAULTS.lr, seed: GPT_DEFAULTS.seed, batchSize: GPT_DEFAULTS.batchSize, steps: 2000,
});

// The Digits demo's model specs and training recipes, shared by the page, tools/pretrain.mjs and the tests, so
// "the pretrained MLP" means the same network and recipe everywhere. Pure data, no DOM.

// 784-128-10 with ReLU: the classic MLP (PyTorch reference on our split: ~93.9% held-out after 5 epochs of Adam).
export const MLP_SPEC = Object.freeze({
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
export const CNN_SPEC = Object.freeze({
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

// How the shipped pretrained weights are made (tools/pretrain.mjs): seeded, on the 8,000 training digits only.
export const PRETRAIN = Object.freeze({
  mlp: { spec: MLP_SPEC, epochs: 5, batchSize: 64, file: 'digits-mlp.safetensors' },
  cnn: { spec: CNN_SPEC, epochs: 5, batchSize: 64, file: 'digits-cnn.safetensors' },
});

export const MODELS = Object.freeze({ mlp: MLP_SPEC, cnn: CNN_SPEC });

// The core's seeded data augmentation (the spec's "augment" field): each training batch is drawn afresh, every
// digit moved by a whole number of pixels up to 2 each way and turned by up to 10 degrees (bilinear, zero
// outside), from the model's seeded generator. Held-out evaluation and prediction are never augmented.
export const AUGMENT = Object.freeze({ shift: 2, rotate: 10 });

/**
 * The spec with augmentation switched on. Augmentation needs an image input, so a flat MLP gets input [1, 28, 28]
 * and a leading flatten: the same network (flatten has no weights and keeps the pixel order), its layers numbered
 * one higher in weight files ("1.weight" instead of "0.weight").
 */
export function withAugment(spec, augment = AUGMENT) {
  const image = spec.input.length === 3;
  return {
    ...spec,
    input: image ? spec.input : [1, 28, 28],
    layers: image || spec.layers[0]?.type === 'flatten' ? spec.layers : [{ type: 'flatten' }, ...spec.layers],
    augment: { ...augment },
  };
}

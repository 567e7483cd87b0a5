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

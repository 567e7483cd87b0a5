// The digits models, shared by <tiny-train demo="digits">, the Digits demo and the tools, so "the digits CNN"
// means the same thing everywhere. Pure data, no DOM.

// 784-128-10 with ReLU: the classic MLP (its PyTorch reference accuracy is in bench/README.md).
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

// LeNet-like: conv 5x5x8 'same' + ReLU, maxpool 2, conv 5x5x16 'same' + ReLU, maxpool 2, dense 10.
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

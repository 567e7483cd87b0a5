// The Digits demo's model specs and training recipes, shared by the page, tools/pretrain.mjs and the tests, so
// "the pretrained MLP" means the same network and recipe everywhere. Pure data, no DOM.
import { DIGITS_MLP, DIGITS_CNN } from '../../web/digits-models.js';

// The digits MLP and CNN are the runtime's presets (web/models.js), so the widget's layers="cnn" is this CNN.
export const MLP_SPEC = DIGITS_MLP;
export const CNN_SPEC = DIGITS_CNN;

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

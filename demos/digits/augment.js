// Seeded data augmentation for 28x28 digits: each augmented copy of the training set moves every digit by a random
// shift (up to ±maxShift pixels) and a small random rotation (up to ±maxDegrees) about the field's centre, with
// bilinear sampling. The copies are made once on the page, before training (the worker trains on the original
// digits plus the copies); the same seed gives the same copies everywhere. Pure functions: Node tests run them.
//
//   const aug = augmentSet(train.x, train.y, { copies: 1, seed: 7 });  // x: (n * (1 + copies), 784)

import { mulberry32 } from '../../web/datasets.js';

const SIDE = 28;
const C = (SIDE - 1) / 2; // rotation centre in pixel-index coordinates

/**
 * Writes into out (784) the image src (784) rotated by `radians` and then shifted by (dx, dy) pixels:
 * out(x, y) = src(R^-1 · ((x, y) - (dx, dy) - c) + c), bilinear, zero outside.
 */
export function transformDigit(src, out, radians, dx, dy) {
  const cos = Math.cos(radians), sin = Math.sin(radians);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      // Inverse map of the output pixel into the source image.
      const u = x - dx - C, v = y - dy - C;
      const sx = cos * u + sin * v + C, sy = -sin * u + cos * v + C;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const fx = sx - x0, fy = sy - y0;
      const at = (xx, yy) => (xx >= 0 && xx < SIDE && yy >= 0 && yy < SIDE ? src[yy * SIDE + xx] : 0);
      out[y * SIDE + x] = (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) +
        fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
    }
  }
  return out;
}

// The work of augmentSet, as a generator that pauses every `every` images (so a page can yield between slices).
function* augmentSteps(x, y, out, { copies = 1, maxShift = 2, maxDegrees = 10, seed = 1 } = {}, every = 500) {
  const n = y.length;
  if (x.length !== n * SIDE * SIDE) throw new Error(`augment: expected ${n * SIDE * SIDE} pixels for ${n} labels, got ${x.length}`);
  if (!Number.isInteger(copies) || copies < 0 || copies > 8) throw new Error(`augment copies: expected 0..8, got ${copies}`);
  const rand = mulberry32(seed);
  out.x = new Float32Array(x.length * (1 + copies)); // (n * (1 + copies), 784)
  out.y = new Int32Array(n * (1 + copies));
  out.x.set(x);
  out.y.set(y);
  for (let k = 1; k <= copies; k++) {
    for (let i = 0; i < n; i++) {
      const dx = Math.floor(rand() * (2 * maxShift + 1)) - maxShift;
      const dy = Math.floor(rand() * (2 * maxShift + 1)) - maxShift;
      const angle = ((rand() * 2 - 1) * maxDegrees * Math.PI) / 180;
      const at = (k * n + i) * SIDE * SIDE;
      transformDigit(x.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE), out.x.subarray(at, at + SIDE * SIDE), angle, dx, dy);
      out.y[k * n + i] = y[i];
      if ((i + 1) % every === 0) yield;
    }
  }
}

/**
 * The training set followed by `copies` augmented copies of it: {x: Float32Array (n*(1+copies), 784),
 * y: Int32Array}. Shifts are whole pixels in [-maxShift, maxShift]; angles uniform in [-maxDegrees, maxDegrees].
 */
export function augmentSet(x, y, options = {}) {
  const out = {};
  for (const _ of augmentSteps(x, y, out, options)); // eslint-disable-line no-unused-vars
  return out;
}

/** augmentSet with a pause (`pause()`, e.g. a zero timeout) every 500 images; the same result. */
export async function augmentSetAsync(x, y, options = {}, pause = () => new Promise((r) => setTimeout(r, 0))) {
  const out = {};
  for (const _ of augmentSteps(x, y, out, options)) await pause(); // eslint-disable-line no-unused-vars
  return out;
}

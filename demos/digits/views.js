// Small views of the Digits demo: digit images, the gallery of mistakes and the first layer's weights as pictures
// (the probability bars are web/views/bars.js, shared with the widget). Each takes plain arrays and the element to
// draw into; none knows about training.

const SIDE = 28;

// One ImageData per size, filled and put again: a new one per tile and per redraw is garbage whose collection, on a
// page that redraws while training, makes long pauses.
const images = new Map();
function imageData(ctx, w, h) {
  const key = `${w}x${h}`;
  if (!images.has(key)) images.set(key, ctx.createImageData(w, h));
  return images.get(key);
}

// Sizes a canvas's pixels; setting the size, even to the same, clears it and drops its buffer.
function sized(canvas, w, h) {
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  return canvas.getContext('2d');
}

/** Paints a (h, w) grey image in [0, 1] into a canvas of that size (white ink on black, as MNIST). */
export function drawGrey(canvas, pixels, w = SIDE, h = SIDE) {
  const ctx = sized(canvas, w, h), img = imageData(ctx, w, h);
  for (let i = 0; i < w * h; i++) {
    const v = Math.round(Math.min(1, Math.max(0, pixels[i])) * 255);
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/**
 * Paints weights (h, w) with a diverging colour map: blue < 0 < red, scaled by the largest |w| of the tile, so
 * each tile shows its own pattern (a filter's shape matters, not its overall scale).
 */
export function drawWeights(canvas, weights, w, h) {
  let m = 1e-12;
  for (let i = 0; i < w * h; i++) m = Math.max(m, Math.abs(weights[i]));
  const ctx = sized(canvas, w, h), img = imageData(ctx, w, h);
  for (let i = 0; i < w * h; i++) {
    const t = weights[i] / m; // [-1, 1]
    const a = Math.round(255 * (1 - Math.abs(t)));
    img.data[4 * i] = t > 0 ? 255 : a;
    img.data[4 * i + 1] = a;
    img.data[4 * i + 2] = t < 0 ? 255 : a;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** Index of the largest of n values at offset. */
export function argmax(values, offset = 0, n = values.length - offset) {
  let best = 0;
  for (let i = 1; i < n; i++) if (values[offset + i] > values[offset + best]) best = i;
  return best;
}

/**
 * One tile of the gallery of misclassified held-out digits: m is {index, label, predicted, confidence}, pixels the
 * test split (n, 784); the tile says "label → predicted". `tile`, a tile made here before, is filled again (its
 * canvas kept): a gallery shown anew after every run would otherwise leave 60 canvases to collect each time.
 */
export function galleryTile(m, pixels, tile = null) {
  const fig = tile ?? document.createElement('figure');
  if (!tile) {
    fig.className = 'tile';
    const cap = document.createElement('figcaption');
    const label = document.createElement('b');
    const wrong = document.createElement('span');
    wrong.className = 'wrong';
    cap.append(label, ' → ', wrong);
    fig.append(document.createElement('canvas'), cap);
  }
  const [c, cap] = fig.children, [label, wrong] = cap.children;
  drawGrey(c, pixels.subarray(m.index * 784, (m.index + 1) * 784));
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', `held-out digit ${m.index}: a ${m.label}, predicted ${m.predicted}`);
  label.textContent = String(m.label);
  wrong.textContent = String(m.predicted);
  cap.title = `held-out #${m.index}: ${(m.confidence * 100).toFixed(0)}% sure it is a ${m.predicted}`;
  return fig;
}

/**
 * Where the first layer's weights sit in getWeights() and how to picture them, from a spec:
 * {kind: 'dense', count: units, w: 28, h: 28} (one 28x28 image per hidden unit) or
 * {kind: 'conv', count: filters, w: k, h: k, channels} (one k x k image per filter, first input channel);
 * null when the first layer with weights is neither (e.g. an edited spec starting elsewhere).
 */
export function firstLayerLayout(spec) {
  const input = spec.input;
  for (const layer of spec.layers) {
    if (layer.type === 'dense') {
      const inSize = input.reduce((a, b) => a * b, 1);
      return inSize === SIDE * SIDE ? { kind: 'dense', count: layer.units, w: SIDE, h: SIDE, stride: inSize } : null;
    }
    if (layer.type === 'conv2d') {
      const k = layer.kernel, channels = input.length === 3 ? input[0] : 1;
      return { kind: 'conv', count: layer.filters, w: k, h: k, stride: channels * k * k };
    }
    if (layer.type !== 'flatten') return null; // weights after other layers do not look at pixels
  }
  return null;
}

const spareTiles = []; // canvases of earlier first-layer pictures, to use again

/**
 * Draws up to `max` first-layer tiles (weights = model.getWeights(); the first tensor is the first layer's), or of
 * those only tiles [from, to): a caller can spread the drawing over several tasks.
 */
// The same tiles as last time are redrawn in place (no new canvases, no layout): training redraws them every second.
export function drawFirstLayer(container, spec, weights, { max = 64, scale = 2, from = 0, to = Infinity } = {}) {
  const lay = firstLayerLayout(spec);
  if (!lay) {
    spareTiles.push(...[...container.children].filter((c) => c instanceof HTMLCanvasElement));
    container.replaceChildren();
    delete container.dataset.tiles;
    container.textContent = 'The first layer with weights does not look at the pixels directly.';
    return null;
  }
  const n = Math.min(lay.count, max);
  const px = lay.kind === 'conv' ? Math.max(4, Math.round(56 / lay.w)) : scale;
  const key = `${lay.kind} ${n} ${lay.w}`;
  if (container.dataset.tiles !== key) {
    // the canvases are used again: new ones each time the model changes would be garbage to collect
    spareTiles.push(...[...container.children].filter((c) => c instanceof HTMLCanvasElement));
    container.replaceChildren(...Array.from({ length: n }, (_, i) => {
      const c = spareTiles.pop() ?? document.createElement('canvas');
      c.style.width = `${lay.w * px}px`;
      c.style.height = `${lay.h * px}px`;
      c.title = lay.kind === 'conv' ? `filter ${i}` : `hidden unit ${i}`;
      return c;
    }));
    container.dataset.tiles = key;
  }
  for (let i = from; i < Math.min(n, to); i++) {
    drawWeights(container.children[i], weights.subarray(i * lay.stride, i * lay.stride + lay.w * lay.h), lay.w, lay.h);
  }
  return { ...lay, shown: n };
}

export function formatFlops(f) {
  if (!Number.isFinite(f)) return '–';
  if (f >= 1e12) return `${(f / 1e12).toFixed(2)} TFLOP`;
  if (f >= 1e9) return `${(f / 1e9).toFixed(2)} GFLOP`;
  if (f >= 1e6) return `${(f / 1e6).toFixed(2)} MFLOP`;
  if (f >= 1e3) return `${(f / 1e3).toFixed(1)} kFLOP`;
  return `${Math.round(f)} FLOP`;
}

export function formatSeconds(ms) {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

// MNIST's preprocessing, applied to a digit drawn on the pad, so the network sees what it was trained on.
// LeCun et al. describe it: the digit is size-normalised to fit a 20x20 box (aspect ratio kept, grey levels from
// anti-aliasing), then placed in a 28x28 field so that its centre of mass lands in the middle. Here:
//
//   ink (W, H) in [0, 1]  --crop to the ink-->  (ch, cw)  --area-average into the 20x20 box-->  (bh, bw), max side 20
//   --translate so the centre of mass is at pixel (14, 14)-->  x (28, 28), ready for the model
//
// The centre (14, 14) in pixel-index coordinates is what the real data has: over our 2,000 held-out digits the mean
// centre of mass is (14.00, 14.00) and every digit's bounding box has a long side of exactly 20. So an MNIST digit
// scaled up by an integer factor and run through preprocess() comes back unchanged (tests/js/digits-preprocess).
//
// Pure functions on typed arrays: no DOM, so Node tests run them as the page does. Used by demos/digits and
// <tiny-train demo="digits"> (web/widget/digits.js).

export const FIELD = 28;        // output side
export const BOX = 20;          // the long side of the digit after size normalisation
export const CENTRE = 14;       // target centre of mass (pixel index coordinates)
export const INK_THRESHOLD = 0.02; // ink below this is anti-aliasing dust, not part of the digit's bounding box

/**
 * Grey levels from RGBA pixels (a canvas ImageData's data), 1 = full ink.
 * inkIsLight (default): light strokes on a dark or transparent background; else dark strokes on light paper.
 * Transparent pixels are background either way.
 */
export function inkFromRGBA(rgba, width, height, { inkIsLight = true } = {}) {
  const n = width * height;
  if (rgba.length !== n * 4) throw new Error(`inkFromRGBA: expected ${n * 4} values for ${width}x${height}, got ${rgba.length}`);
  const ink = new Float32Array(n); // (H, W)
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    const lum = (0.299 * rgba[p] + 0.587 * rgba[p + 1] + 0.114 * rgba[p + 2]) / 255;
    const a = rgba[p + 3] / 255;
    // Composite over the background colour (black for light ink, white for dark ink), then measure the ink.
    ink[i] = inkIsLight ? lum * a : (1 - lum) * a;
  }
  return ink;
}

/** The bounding box {x0, y0, x1, y1} (x1, y1 exclusive) of pixels above the threshold, or null if blank. */
export function inkBounds(ink, width, height, threshold = INK_THRESHOLD) {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (ink[row + x] > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

// Area-averaging weights from n input cells onto m output cells: output cell j covers input [j*n/m, (j+1)*n/m)
// and takes the mean of what it covers (partial cells weighted by overlap). Works for shrinking and enlarging.
function areaWeights(n, m) {
  const scale = n / m;
  const taps = [];
  for (let j = 0; j < m; j++) {
    const lo = j * scale, hi = (j + 1) * scale;
    const list = [];
    for (let i = Math.floor(lo); i < Math.min(n, Math.ceil(hi)); i++) {
      const w = Math.min(hi, i + 1) - Math.max(lo, i);
      if (w > 1e-9) list.push(i, w / scale);
    }
    taps.push(list); // [index, weight, index, weight, ...], weights sum to 1
  }
  return taps;
}

/**
 * Resamples the crop (x0, y0, cw, ch) of src (W wide) into (th, tw) by area averaging (separable: rows, then
 * columns). The anti-aliasing gives the soft edges MNIST digits have.
 */
export function resampleArea(src, width, x0, y0, cw, ch, tw, th) {
  const wx = areaWeights(cw, tw), wy = areaWeights(ch, th);
  const tmp = new Float32Array(ch * tw); // (ch, tw): rows resampled horizontally
  for (let r = 0; r < ch; r++) {
    const row = (y0 + r) * width + x0;
    for (let j = 0; j < tw; j++) {
      const t = wx[j];
      let s = 0;
      for (let k = 0; k < t.length; k += 2) s += src[row + t[k]] * t[k + 1];
      tmp[r * tw + j] = s;
    }
  }
  const out = new Float32Array(th * tw); // (th, tw)
  for (let i = 0; i < th; i++) {
    const t = wy[i];
    for (let j = 0; j < tw; j++) {
      let s = 0;
      for (let k = 0; k < t.length; k += 2) s += tmp[t[k] * tw + j] * t[k + 1];
      out[i * tw + j] = s;
    }
  }
  return out;
}

/** Centre of mass {cx, cy} of a (H, W) image in pixel-index coordinates; null if it has no mass. */
export function centreOfMass(img, width, height) {
  let m = 0, mx = 0, my = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = img[y * width + x];
      m += v; mx += v * x; my += v * y;
    }
  }
  return m > 0 ? { cx: mx / m, cy: my / m } : null;
}

/**
 * MNIST-style preprocessing of an ink image (H, W) in [0, 1]. Returns null for a blank image, otherwise
 * {x: Float32Array (28*28) in [0, 1], bounds (the crop in the input), size: [bw, bh] of the digit in the box,
 *  offset: [dx, dy] where the box landed in the 28x28 field}.
 */
export function preprocess(ink, width, height, { threshold = INK_THRESHOLD } = {}) {
  if (ink.length !== width * height) {
    throw new Error(`preprocess: expected ${width * height} values for ${width}x${height}, got ${ink.length}`);
  }
  const bounds = inkBounds(ink, width, height, threshold);
  if (!bounds) return null;
  const cw = bounds.x1 - bounds.x0, ch = bounds.y1 - bounds.y0;
  // The long side becomes 20; the short side keeps the aspect ratio (at least one pixel, for a thin "1").
  const s = BOX / Math.max(cw, ch);
  const bw = Math.max(1, Math.round(cw * s)), bh = Math.max(1, Math.round(ch * s));
  const box = resampleArea(ink, width, bounds.x0, bounds.y0, cw, ch, bw, bh); // (bh, bw)
  for (let i = 0; i < box.length; i++) box[i] = Math.min(1, Math.max(0, box[i]));
  // Whole-pixel translation putting the centre of mass at (14, 14), as the MNIST field was built.
  const com = centreOfMass(box, bw, bh) || { cx: (bw - 1) / 2, cy: (bh - 1) / 2 };
  const dx = Math.round(CENTRE - com.cx), dy = Math.round(CENTRE - com.cy);
  const x = new Float32Array(FIELD * FIELD); // (28, 28)
  for (let r = 0; r < bh; r++) {
    const y = r + dy;
    if (y < 0 || y >= FIELD) continue; // a very lopsided digit may lose an edge, as in MNIST's own field
    for (let c = 0; c < bw; c++) {
      const xx = c + dx;
      if (xx >= 0 && xx < FIELD) x[y * FIELD + xx] = box[r * bw + c];
    }
  }
  return { x, bounds, size: [bw, bh], offset: [dx, dy] };
}

/** Convenience for the pad: RGBA pixels straight to the model input (or null when nothing is drawn). */
export function preprocessRGBA(rgba, width, height, options = {}) {
  return preprocess(inkFromRGBA(rgba, width, height, options), width, height, options);
}

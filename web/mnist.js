// MNIST reader for pages, workers and Node: parses the compact binary that tools/mnist-data.mjs writes (`make data`
// puts mnist-train.bin, 8,000 digits, and mnist-test.bin, 2,000 digits, in demos/data/generated/, each also gzipped
// as .bin.gz; `node tools/dist.mjs --mnist` copies the .gz files to dist/data/) and fetches it with progress,
// decompressing gzip itself. Where the files are is always the caller's to say.
//
// File format "TTMNIST1" (all integers little-endian):
//   offset 0   8 bytes   magic, ASCII "TTMNIST1"
//   offset 8   uint32    n, number of images
//   offset 12  uint32    rows (28)
//   offset 16  uint32    cols (28)
//   offset 20  n*rows*cols uint8  pixels, image after image, row-major; 0 = background, 255 = full ink
//   then       n uint8   labels, the digit 0..9 of each image
// Nothing follows the labels. Pixel k stands for the value k/255 (the JSON source stores k/255 rounded to three
// decimals, so Number((k / 255).toFixed(3)) gives back the source value exactly).
//
// No DOM and no Node APIs here, so the same file runs in a page, a module Worker and Node.

export const MNIST_MAGIC = 'TTMNIST1';
export const MNIST_HEADER_BYTES = 20;

/**
 * Parses a TTMNIST1 buffer (ArrayBuffer or Uint8Array). Returns {x, y, n, rows, cols, pixels, labels}:
 * x: Float32Array (n, rows*cols) in [0, 1] (null with floats: false, for a caller that needs only the labels or
 * the raw pixels); y: Int32Array (n) of digits; pixels/labels: the raw uint8 views.
 * Throws an Error that says what is wrong with the bytes.
 */
export function parseMnist(buffer, { floats = true } = {}) {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  if (bytes.length < MNIST_HEADER_BYTES) {
    throw new Error(`mnist file: ${bytes.length} bytes is shorter than the ${MNIST_HEADER_BYTES}-byte header`);
  }
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== MNIST_MAGIC) {
    throw new Error(`mnist file: expected magic "${MNIST_MAGIC}" at offset 0, got ${JSON.stringify(magic)}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(8, true), rows = view.getUint32(12, true), cols = view.getUint32(16, true);
  if (rows === 0 || cols === 0 || rows > 4096 || cols > 4096) {
    throw new Error(`mnist file: image size ${rows}x${cols} at offset 12 is out of range (1..4096)`);
  }
  const size = rows * cols;
  // Sizes are checked in doubles before any allocation (n * size may exceed 2^32).
  const expected = MNIST_HEADER_BYTES + n * size + n;
  if (bytes.length !== expected) {
    throw new Error(`mnist file: header says ${n} images of ${rows}x${cols} (${expected} bytes), ` +
                    `but the file has ${bytes.length} bytes`);
  }
  const pixels = bytes.subarray(MNIST_HEADER_BYTES, MNIST_HEADER_BYTES + n * size); // (n, rows*cols)
  const labels = bytes.subarray(MNIST_HEADER_BYTES + n * size);                     // (n)
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (labels[i] > 9) {
      throw new Error(`mnist file: label ${i} (offset ${MNIST_HEADER_BYTES + n * size + i}) is ${labels[i]}, ` +
                      'expected a digit 0..9');
    }
    y[i] = labels[i];
  }
  if (!floats) return { x: null, y, n, rows, cols, pixels, labels };
  // A lookup table keeps the scale exact and identical everywhere: x = k / 255 rounded to float32.
  const scale = new Float32Array(256);
  for (let k = 0; k < 256; k++) scale[k] = k / 255;
  const x = new Float32Array(n * size);
  for (let i = 0; i < x.length; i++) x[i] = scale[pixels[i]];
  return { x, y, n, rows, cols, pixels, labels };
}

// A gzip stream starts with 1f 8b. The bytes say whether to decompress: a server that sends a .gz file with
// Content-Encoding: gzip has already had the browser decompress it.
const isGzip = (bytes) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** The TTMNIST1 bytes of a file that is either gzipped (.bin.gz) or not (DecompressionStream, off the main thread). */
export async function gunzipMnist(bytes, url = 'mnist file') {
  if (!isGzip(bytes)) return bytes;
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (err) {
    throw new Error(`mnist: ${url} is not a complete gzip file (${err.message})`);
  }
}

/**
 * Fetches and parses the file at url (a string or URL; the file gzipped or not); floats as parseMnist's. onProgress(loadedBytes, totalBytes) is called as chunks arrive (totalBytes is 0 if
 * the server sends no Content-Length; the bytes counted are those fetched, compressed or not). Browsers and workers only: Node's fetch cannot read file: URLs (use
 * tools/mnist-data.mjs's loadMnistNode there).
 */
export async function fetchMnist(url, { onProgress, signal, floats = true } = {}) {
  const res = await fetch(url, { signal });
  if (res.status === 404) throw new Error(`mnist: the digits data is missing: nothing at ${url} (HTTP 404)`);
  if (!res.ok) throw new Error(`mnist: fetching ${url} failed: HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length')) || 0;
  if (!res.body || !onProgress) return parseMnist(await gunzipMnist(new Uint8Array(await res.arrayBuffer()), url), { floats });
  // Stream so the page can draw a progress bar; one copy into a single buffer at the end.
  const reader = res.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress(loaded, total);
  }
  const all = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) { all.set(c, at); at += c.length; }
  return parseMnist(await gunzipMnist(all, url), { floats });
}

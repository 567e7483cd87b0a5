// Weight files on a page: "Download weights" and "Load weights" (a file picker and drag-and-drop), shared by the
// demo pages. DOM only; the file format and its checks live in the C core behind wasm/tinytrain.js.
//
//   downloadBytes(model.save(), 'spiral.safetensors');
//   const m = await readModelFile(file, currentSpec);   // a tinytrain file, or plain safetensors + currentSpec
//   wireWeightsControls({ downloadButton, onDownload, input, dropZone, onFile: loadIt, onError: show });
import { Model } from '../../wasm/tinytrain.js';

// Far above any model a page trains (the digits CNN is ~100 KB); keeps a stray video file out of wasm memory.
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** Offers bytes (a Uint8Array) to the user as a file download. */
export function downloadBytes(bytes, filename) {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000); // the download has its own reference by then
}

/**
 * A Model from a .safetensors File (or Blob with a name). A tinytrain file carries its spec and becomes that
 * model; a plain safetensors file (e.g. saved from PyTorch) is loaded into a new model of `fallbackSpec` (a spec,
 * or a function returning one, called only when needed), whose tensor names and shapes it must match.
 * Errors name the file and say what is wrong with it. The caller owns (and disposes) the returned Model.
 */
export async function readModelFile(file, fallbackSpec = null) {
  const name = file.name || 'the file';
  if (file.size > MAX_FILE_BYTES) {
    throw new Error(`${name}: ${(file.size / 1e6).toFixed(0)} MB is too large for a weight file here ` +
      `(at most ${MAX_FILE_BYTES / 1024 / 1024} MB)`);
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    return await Model.load(bytes);
  } catch (err) {
    // Only a well-formed file that lacks our metadata is tried against the page's model; any other problem
    // (truncated, not safetensors, bad shapes) is the file's.
    if (!/no tinytrain spec/.test(err.message) || !fallbackSpec) throw new Error(`${name}: ${err.message}`);
  }
  let spec;
  try {
    spec = typeof fallbackSpec === 'function' ? fallbackSpec() : fallbackSpec;
  } catch (err) {
    throw new Error(`${name} has no tinytrain spec, and the page's model is not valid to load it into: ${err.message}`);
  }
  const m = await Model.create(spec);
  try {
    m.loadWeights(bytes);
  } catch (err) {
    m.dispose();
    throw new Error(`${name}: no tinytrain spec in the file, and its tensors do not fit the current model: ${err.message}`);
  }
  return m;
}

/**
 * Wires the weight-file controls of a page; every element is optional.
 *   downloadButton + onDownload(): the "Download weights" button.
 *   input (an <input type=file>) and dropZone (any element; gets the class "dragover" while a file is over it):
 *     onFile(file) with the chosen or dropped file.
 *   onError(err): anything these handlers throw or reject with (the page shows it).
 */
export function wireWeightsControls({ downloadButton, onDownload, input, dropZone, onFile, onError }) {
  const run = (fn, ...args) => Promise.resolve().then(() => fn(...args)).catch((err) => onError(err));
  if (downloadButton && onDownload) downloadButton.addEventListener('click', () => run(onDownload));
  if (input) {
    input.addEventListener('change', () => {
      const file = input.files[0];
      input.value = ''; // choosing the same file again is a new change
      if (file) run(onFile, file);
    });
  }
  if (dropZone) {
    const hasFiles = (e) => Array.from(e.dataTransfer?.types || []).includes('Files');
    dropZone.addEventListener('dragover', (e) => {
      if (!hasFiles(e)) return; // text or a link being dragged: not ours, the browser does its default
      e.preventDefault(); // without this the browser would open the file instead of dropping it here
      e.dataTransfer.dropEffect = 'copy';
      dropZone.classList.add('dragover');
    });
    dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragover'));
    dropZone.addEventListener('drop', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      dropZone.classList.remove('dragover');
      const files = e.dataTransfer.files;
      if (files.length !== 1) {
        onError(new Error(`drop one .safetensors file (got ${files.length} files)`));
        return;
      }
      run(onFile, files[0]);
    });
  }
}

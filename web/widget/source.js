// <tiny-train src="...">: the file named by `src`, loaded on demand (only widgets with a src import it). Same-origin
// only and size-capped: a .csv becomes the widget's data, a .safetensors its pretrained model.
import { Model } from '../../wasm/tinytrain.js';
import { LIMITS } from './config.js';

/** Returns {data} for a CSV or {fileModel} for a weights file; throws an Error that names `src`. */
export async function loadSource(src, seed) {
  const url = new URL(src, document.baseURI);
  const isCsv = /\.csv$/i.test(url.pathname);
  if (url.origin !== location.origin) throw new Error(`src: only files from this site can be used, got ${url.origin}`);
  if (!isCsv && !/\.safetensors$/i.test(url.pathname)) {
    throw new Error(`src: expected a .csv or .safetensors file, got ${JSON.stringify(src.slice(0, 80))}`);
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`src: could not load ${src} (HTTP ${response.status})`);
  const body = new Uint8Array(await response.arrayBuffer());
  if (body.length > LIMITS.bytes) throw new Error(`src: ${src} is larger than ${LIMITS.bytes / 1e6} MB`);
  if (isCsv) {
    const { parseCsv } = await import('./csv.js');
    return { data: parseCsv(new TextDecoder().decode(body), src, seed) };
  }
  return { fileModel: await Model.load(body).catch((err) => { throw new Error(`src ${src}: ${err.message}`); }) };
}

// TF.js 4.22 on its wasm backend (XNNPACK), forced to the single-threaded SIMD binary, as a browser tab without
// cross-origin isolation would run it. Usage: node bench/tfjs-wasm.mjs <case>. Prints which .wasm it loaded.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setWasmPaths, setThreadsCount, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { tf, tfjsHandlers } from './tfjs-common.mjs';
import { runSystem } from './common.mjs';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../node_modules/@tensorflow/tfjs-backend-wasm/dist');
const BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

// Which binary was instantiated: the backend reads the file itself, so identify it by its exact byte size.
const sizes = new Map(BINARIES.map((f) => [fs.statSync(path.join(DIST, f)).size, f]));
const loaded = [];
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = function (source, ...rest) {
  const n = source?.byteLength;
  if (n !== undefined) loaded.push(sizes.get(n) ?? `an unknown ${n}-byte module`);
  return instantiate.call(this, source, ...rest);
};

setWasmPaths(DIST + '/');
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // never the threaded binary
setThreadsCount(1);
if (!(await tf.setBackend('wasm'))) throw new Error('TF.js could not initialise its wasm backend');
await tf.ready();
const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
console.log(`tfjs-wasm: TF.js ${tf.version_core}, backend ${tf.getBackend()}, loaded ${loaded.join(', ') || 'nothing?'}, ` +
            `SIMD ${simd}, threads ${getThreadsCount()}`);
if (!loaded.includes('tfjs-backend-wasm-simd.wasm') || getThreadsCount() !== 1) {
  console.error('tfjs-wasm: not the single-threaded SIMD binary; results would not be comparable');
  process.exit(1);
}

await runSystem('tfjs-wasm', tfjsHandlers('tfjs-wasm'));

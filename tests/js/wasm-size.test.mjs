// The shipped wasm module: self-contained, so the loader only has to supply the memory-growth notification
// (anything else would mean printf, exit, a clock or a file system crept into the C core). Its size counts in the
// widget's budget of 64 KiB gzipped for JS + wasm (tests/js/dist-budgets.test.mjs); this test reports its sections.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const WASM = new URL('../../wasm/tinytrain.wasm', import.meta.url);

// Section sizes by name, read from the binary itself, so a failure says where the bytes went.
function sections(bytes) {
  const names = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element',
    'code', 'data', 'datacount'];
  const out = {};
  let i = 8;
  const leb = () => {
    let v = 0, shift = 0, b;
    do { b = bytes[i++]; v += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
    return v;
  };
  while (i < bytes.length) {
    const id = bytes[i++];
    const size = leb();
    const name = names[id] ?? `#${id}`;
    out[name] = (out[name] ?? 0) + size;
    i += size;
  }
  return out;
}

test('wasm/tinytrain.wasm: raw and gzipped size, by section', () => {
  const bytes = readFileSync(WASM);
  const s = sections(bytes);
  const detail = Object.entries(s).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`wasm/tinytrain.wasm: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped (${detail}); ` +
    'tools/wasm-size.py on a --profiling-funcs build lists the biggest functions');
  assert.ok(s.code > 0 && s.export > 0, `no code or exports: ${detail}`);
});

test('wasm/tinytrain.wasm imports only env.emscripten_notify_memory_growth', async () => {
  const module = await WebAssembly.compile(readFileSync(WASM));
  const imports = WebAssembly.Module.imports(module).map((d) => `${d.module}.${d.name} (${d.kind})`);
  assert.deepEqual(imports, ['env.emscripten_notify_memory_growth (function)'],
    `unexpected imports: ${imports.join(', ')}`);
});

// The shipped module exports the public API of src/tinytrain.h and nothing for benchmarks or tests: those live in
// the benchmark build (build/bench/tinytrain-bench.wasm) and the C tests' objects.
test('wasm/tinytrain.wasm exports no benchmark or test helper', async () => {
  const module = await WebAssembly.compile(readFileSync(WASM));
  const exported = WebAssembly.Module.exports(module).map((d) => d.name);
  const header = readFileSync(new URL('../../src/tinytrain.h', import.meta.url), 'utf8');
  const api = new Set(header.match(/\btt_[a-z0-9_]+(?=\()/g));
  const extra = exported.filter((name) => name.startsWith('tt') && !api.has(name));
  assert.deepEqual(extra, [], `exports outside src/tinytrain.h: ${extra.join(', ')}`);
  assert.ok(!exported.includes('tt_gemm'), 'tt_gemm (a benchmark helper) is exported');
});

// The full build (wasm/tinytrain-int8.wasm) exports all of src/tinytrain.h; the default one all of it but
// tt_model_quantize and tt_model_weight_bytes (the size of a quantized model's weights), the int8 work it leaves out
// (docs/design.md, "Two builds of the same C").
const INT8_ONLY = ['tt_model_quantize', 'tt_model_weight_bytes'];
test('wasm/tinytrain-int8.wasm exports the whole API; wasm/tinytrain.wasm all but the int8 calls', async () => {
  const header = readFileSync(new URL('../../src/tinytrain.h', import.meta.url), 'utf8');
  const api = [...new Set(header.match(/\btt_[a-z0-9_]+(?=\()/g))].sort();
  const apiExports = async (file) => WebAssembly.Module.exports(await WebAssembly.compile(readFileSync(file)))
    .map((d) => d.name).filter((name) => name.startsWith('tt')).sort();
  const int8 = new URL('../../wasm/tinytrain-int8.wasm', import.meta.url);
  assert.deepEqual(await apiExports(int8), api);
  assert.deepEqual(await apiExports(WASM), api.filter((name) => !INT8_ONLY.includes(name)));
  const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
  console.log(`wasm/tinytrain-int8.wasm: ${gz(int8)} gzipped, ${gz(int8) - gz(WASM)} more than wasm/tinytrain.wasm`);
});

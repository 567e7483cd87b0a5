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

// How wasm/tinytrain.js gets its compiled module: fetched from its URL (beside the JS in every build), or read from
// disk in Node. The one-file build (tools/standalone.mjs) puts a module of the same name and export in its place
// that compiles the bytes it carries inside itself.
export async function fetchModule(url) {
  if (url.protocol === 'file:') { // Node, whose fetch cannot read files
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.compile(await readFile(url));
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url.href}: HTTP ${response.status}`);
  if (WebAssembly.compileStreaming && response.headers.get('content-type')?.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer()); // a server with the wrong MIME type
}

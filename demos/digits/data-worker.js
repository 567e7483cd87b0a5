// The digits page's downloads, in a module Worker: the MNIST splits (fetched, gunzipped and parsed here) and the
// pretrained weight files. A big response read on the page's own thread arrives there in one piece and costs it a
// long task on a phone-class CPU; here it costs the page one transferred buffer. downloads.js is the page's side.
//
// Messages in: {id, kind: 'mnist', url, floats} | {id, kind: 'bytes', url}. Out, for that id: any number of
// {id, progress: [loaded, total]} (mnist), then {id, result} or {id, error: message}. Buffers are transferred.
import { fetchMnist } from '../../web/mnist.js';

async function download({ id, kind, url, floats }) {
  if (kind === 'mnist') {
    const onProgress = (loaded, total) => self.postMessage({ id, progress: [loaded, total] });
    const { n, x, y } = await fetchMnist(url, { onProgress, floats });
    return [{ n, x, y }, x ? [x.buffer, y.buffer] : [y.buffer]];
  }
  // bytes: the page words a missing file itself, so the status comes with them
  const res = await fetch(url);
  const bytes = res.ok ? new Uint8Array(await res.arrayBuffer()) : null;
  return [{ status: res.status, bytes }, bytes ? [bytes.buffer] : []];
}

self.onmessage = async ({ data }) => {
  try {
    const [result, transfer] = await download(data);
    self.postMessage({ id: data.id, result }, transfer);
  } catch (err) {
    self.postMessage({ id: data.id, error: err.message });
  }
};

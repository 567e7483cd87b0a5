// The worker's side of {dataset: 'mnist'}: web/runtime/session.js imports this on first use only, so widgets without
// demo="digits" never load it (`make dist` makes it a chunk loaded on demand).
import { fetchMnist } from './mnist.js';
import { toTargets } from './datasets.js';

const MNIST_KEYS = ['dataset', 'train', 'test'];

// {dataset: 'mnist', train, test}: both splits of web/mnist.js's binary (8,000 + 2,000 digits of 28x28, pixels in
// [0, 1]), fetched in parallel from the URLs train and test. loadMnist(url) -> {x, y} (tests may pass their own).
export async function loadMnistData(data, spec, loadMnist = fetchMnist) {
  for (const k of Object.keys(data)) {
    if (!MNIST_KEYS.includes(k)) throw new Error(`data.${k}: unknown option for mnist (allowed: ${MNIST_KEYS.join(', ')})`);
  }
  const load = async (split) => {
    const where = data[split];
    if (typeof where !== 'string') throw new Error(`data.${split}: expected a URL string (where mnist-${split}.bin is)`);
    try {
      return await loadMnist(where);
    } catch (err) { // fetch's own errors ("fetch failed") do not say what was fetched
      if (/HTTP 404/.test(err.message)) { // the usual case: a site without the data files, or a wrong folder
        throw new Error(`${err.message}. Put mnist-train.bin.gz and mnist-test.bin.gz there (make data writes them), ` +
          'or give the folder that holds them (a <tiny-train>\'s data attribute)');
      }
      throw new Error(/^mnist/.test(err.message) ? err.message : `mnist: could not load the ${split} split from ${where}: ${err.message}`);
    }
  };
  const [train, test] = await Promise.all([load('train'), load('test')]);
  return {
    generated: null, x: train.x, testX: test.x,
    y: toTargets(train.y, 10, spec.loss), testY: toTargets(test.y, 10, spec.loss),
  };
}

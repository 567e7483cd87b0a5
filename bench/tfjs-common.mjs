// TensorFlow.js 4.22 cases, shared by bench/tfjs-wasm.mjs and bench/tfjs-cpu.mjs (the backend is the only
// difference). Training uses the library's fastest synchronous path: optimizer.minimize on a tf.layers model,
// one batch tensor pair created from the JS arrays per step, loss read back every step (as tinytrain's
// trainBatch does).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { GEMM_ROWS, MLP, CNN, TIME, SETTLE, mnist, oneHot, randomArray, measureRate, measureLatency, emit, emitGemmRows }
  from './common.mjs';
import { tfjsGptTrainRate } from './tfjs-gpt.mjs';

function mlpModel() {
  return tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [784], units: MLP.hidden, activation: 'relu' }),
    tfl.layers.dense({ units: 10 }),
  ] });
}

function cnnModel() {
  // Channels-last (TF.js default); with one input channel the flat 784 pixels are already in NHWC order.
  return tfl.sequential({ layers: [
    tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 5, padding: 'same', activation: 'relu' }),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    tfl.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    tfl.layers.flatten(),
    tfl.layers.dense({ units: 10 }),
  ] });
}

// Samples/s of mini-batch training on the real MNIST training split; returns {value, note}.
function trainRate(model, optimizer, batch, inShape, time, warmup = SETTLE) {
  const { x, y, n } = mnist('train');
  const yh = oneHot(y); // (n, 10)
  let pos = 0, loss = NaN;
  const step = () => {
    if (pos + batch > n) pos = 0;
    const cost = tf.tidy(() => {
      const xb = tf.tensor(x.subarray(pos * 784, (pos + batch) * 784), [batch, ...inShape]);
      const yb = tf.tensor2d(yh.subarray(pos * 10, (pos + batch) * 10), [batch, 10]);
      return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yb, model.apply(xb)), true);
    });
    loss = cost.dataSync()[0];
    cost.dispose();
    pos += batch;
  };
  const r = measureRate(step, { work: batch, time, warmup });
  return { value: r.rate, note: `loss ${loss.toFixed(3)} after ${pos} samples of the epoch` };
}

// Median µs of one prediction: Float32Array in, Float32Array out.
function inferLatency(model, inShape) {
  const { x } = mnist('test');
  const x1 = x.slice(0, 784);
  let out;
  const us = measureLatency(() => { out = tf.tidy(() => model.predict(tf.tensor(x1, [1, ...inShape])).dataSync()); });
  if (!(out instanceof Float32Array) || out.length !== 10) throw new Error('prediction has the wrong shape');
  return us;
}

export function tfjsHandlers(system) {
  return {
    gemm: () => {
      // Settle first (SETTLE, as tinytrain.mjs does): start-up work and V8's tier-up would fall on the first rows.
      const a0 = tf.tensor2d(randomArray(256 * 256, 1), [256, 256]);
      for (const t0 = performance.now(); performance.now() - t0 < 1000 * SETTLE;) tf.matMul(a0, a0).dispose();
      a0.dispose();
      // op(A) is (M, K): stored (K, M) when transposed; op(B) is (K, N): stored (N, K) when transposed.
      const operands = GEMM_ROWS.map((g) => [tf.tensor2d(randomArray(g.M * g.K, 1), g.ta ? [g.K, g.M] : [g.M, g.K]),
                                             tf.tensor2d(randomArray(g.K * g.N, 2), g.tb ? [g.N, g.K] : [g.K, g.N])]);
      // The wasm and cpu backends run the kernel inside matMul, so timing the calls times the product.
      emitGemmRows(system, (g, seconds) => {
        const [a, b] = operands[GEMM_ROWS.indexOf(g)];
        return measureRate(() => { tf.matMul(a, b, !!g.ta, !!g.tb).dispose(); },
                           { work: 2 * g.M * g.N * g.K, time: seconds, warmup: 0, chunk: seconds / 2 }).rate;
      });
      tf.dispose(operands);
    },
    'mlp-sgd': () => trainRate(mlpModel(), tf.train.sgd(MLP.sgdLr), MLP.batch, [784], TIME),
    'mlp-adam': () => trainRate(mlpModel(), tf.train.adam(MLP.adamLr), MLP.batch, [784], TIME),
    // TF.js cpu needs seconds per CNN batch: no warm-up and one timed batch is all we can afford (the JIT warms up
    // within the first of its millions of inner-loop iterations, so this costs it little).
    'cnn-adam': () => system === 'tfjs-cpu'
      ? trainRate(cnnModel(), tf.train.adam(CNN.adamLr), CNN.batch, [28, 28, 1], 0.01, 0)
      : trainRate(cnnModel(), tf.train.adam(CNN.adamLr), CNN.batch, [28, 28, 1], TIME),
    'infer-mlp': () => inferLatency(mlpModel(), [784]),
    'infer-cnn': () => inferLatency(cnnModel(), [28, 28, 1]),
    'gpt-train': tfjsGptTrainRate,
  };
}

export { tf };

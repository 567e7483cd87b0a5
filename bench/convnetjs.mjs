// ConvNetJS 0.3.0 (plain JavaScript, one sample at a time; the Trainer accumulates gradients over batch_size
// samples). It has no Adam: the Adam cases use its adadelta, which keeps the same two per-weight state arrays, so
// the update costs about the same. Usage: node bench/convnetjs.mjs <case>.
import { createRequire } from 'node:module';
import { MLP, CNN, TIME, SETTLE, mnist, measureRate, measureLatency, runSystem } from './common.mjs';

const convnetjs = createRequire(import.meta.url)('convnetjs');

function mlpNet() {
  const net = new convnetjs.Net();
  net.makeLayers([
    { type: 'input', out_sx: 1, out_sy: 1, out_depth: 784 },
    { type: 'fc', num_neurons: MLP.hidden, activation: 'relu' },
    { type: 'softmax', num_classes: 10 }, // a 10-unit fc layer plus softmax
  ]);
  return net;
}

function cnnNet() {
  const net = new convnetjs.Net();
  net.makeLayers([
    { type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 },
    { type: 'conv', sx: 5, filters: 8, stride: 1, pad: 2, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 2, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'softmax', num_classes: 10 },
  ]);
  return net;
}

// A volume of the right shape for one sample; with depth 1 its (y, x) order is the flat 784 pixel order.
const volFor = (net) => { const l = net.layers[0]; return new convnetjs.Vol(l.out_sx, l.out_sy, l.out_depth, 0); };

function trainRate(net, trainerOpts, batch, time) {
  const { x, y, n } = mnist('train');
  const trainer = new convnetjs.Trainer(net, { batch_size: batch, l2_decay: 0, ...trainerOpts });
  const vol = volFor(net);
  let pos = 0, loss = NaN;
  // One unit of work = one mini-batch, so the update runs once per measured batch.
  const step = () => {
    let sum = 0;
    for (let b = 0; b < batch; b++, pos = (pos + 1) % n) {
      vol.w.set(x.subarray(pos * 784, (pos + 1) * 784));
      sum += trainer.train(vol, y[pos]).loss;
    }
    loss = sum / batch;
  };
  const r = measureRate(step, { work: batch, time, warmup: SETTLE });
  const caveat = trainerOpts.method === 'adadelta'
    ? 'ConvNetJS 0.3.0 has no Adam: it runs adadelta, which keeps the same two state arrays per weight' : '';
  return { value: r.rate, note: `loss ${loss.toFixed(3)}; ${trainerOpts.method}`, caveat };
}

function inferLatency(net) {
  const x1 = mnist('test').x.slice(0, 784);
  const vol = volFor(net);
  let out;
  const us = measureLatency(() => { vol.w.set(x1); out = Float32Array.from(net.forward(vol).w); });
  if (out.length !== 10) throw new Error('prediction has the wrong shape');
  return us;
}

await runSystem('convnetjs', {
  'mlp-sgd': () => trainRate(mlpNet(), { method: 'sgd', learning_rate: MLP.sgdLr, momentum: 0 }, MLP.batch, TIME),
  'mlp-adam': () => trainRate(mlpNet(), { method: 'adadelta' }, MLP.batch, TIME),
  'cnn-adam': () => trainRate(cnnNet(), { method: 'adadelta' }, CNN.batch, TIME),
  'infer-mlp': () => inferLatency(mlpNet()),
  'infer-cnn': () => inferLatency(cnnNet()),
});

// The words GPT written with TF.js ops (tf.layers has no causal self-attention): the same shapes as gptSpec()
// (token and position embeddings, 2 pre-norm blocks of 4-head causal attention and a GELU MLP of 4D, a final
// layernorm and the vocabulary's logits), gradients from tf.variableGrads, and AdamW as torch.optim.AdamW does it
// (the decay p -= lr * wd * p, then TF.js's Adam, whose update is the same as torch's). Tokens/s on the same
// corpus, random windows of T + 1 tokens (the draw itself does not matter for speed).
import * as tf from '@tensorflow/tfjs-core';
import { GPT, measureRate, words, gptSpec } from './common.mjs';

const WEIGHT_DECAY = 0.01; // torch.optim.AdamW's default, as in tinytrain's adamw

function gptParams() {
  const { T, vocab: V, dim: D } = GPT;
  let seed = 1;
  const normal = (shape, std) => tf.variable(tf.randomNormal(shape, 0, std, 'float32', seed++));
  const ones = (n) => tf.variable(tf.ones([n])), zeros = (n) => tf.variable(tf.zeros([n]));
  const block = () => ({
    ln1g: ones(D), ln1b: zeros(D), wqkv: normal([D, 3 * D], 0.1), bqkv: zeros(3 * D), wo: normal([D, D], 0.1),
    bo: zeros(D), ln2g: ones(D), ln2b: zeros(D), w1: normal([D, 4 * D], 0.1), b1: zeros(4 * D),
    w2: normal([4 * D, D], 0.05), b2: zeros(D),
  });
  return { emb: normal([V, D], 1), pos: normal([T, D], 0.02), blocks: [block(), block()], lng: ones(D), lnb: zeros(D),
           wout: normal([D, V], 0.1), bout: zeros(V) };
}

// tfjs-core alone registers no chained ops (x.add), so everything is a function call.
const { add, mul, sub, reshape, matMul, transpose } = tf;

function layernorm(x, g, b) {
  const { mean, variance } = tf.moments(x, -1, true);
  return add(mul(mul(sub(x, mean), tf.rsqrt(add(variance, 1e-5))), g), b);
}

const gelu = (x) => mul(mul(x, 0.5), add(tf.erf(mul(x, Math.SQRT1_2)), 1)); // the exact GELU, as nn.GELU()
const dense = (x, w, b) => add(matMul(x, w), b);

function forward(p, ids, mask) {
  const { T, dim: D, heads: H } = GPT, B = ids.shape[0], dh = D / H;
  // The embedding as a one-hot product: tf.gather's gradient needs UnsortedSegmentSum, which the wasm backend lacks
  // ("Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'").
  let x = add(reshape(matMul(tf.oneHot(reshape(ids, [B * T]), GPT.vocab), p.emb), [B, T, D]), p.pos); // [B, T, D]
  for (const k of p.blocks) {
    const h = dense(reshape(layernorm(x, k.ln1g, k.ln1b), [B * T, D]), k.wqkv, k.bqkv);
    const [q, kk, v] = tf.unstack(transpose(reshape(h, [B, T, 3, H, dh]), [2, 0, 3, 1, 4])); // each [B, H, T, dh]
    const att = tf.softmax(add(mul(matMul(q, kk, false, true), 1 / Math.sqrt(dh)), mask)); // [B, H, T, T]
    const y = dense(reshape(transpose(matMul(att, v), [0, 2, 1, 3]), [B * T, D]), k.wo, k.bo);
    x = add(x, reshape(y, [B, T, D]));
    const m = dense(gelu(dense(reshape(layernorm(x, k.ln2g, k.ln2b), [B * T, D]), k.w1, k.b1)), k.w2, k.b2);
    x = add(x, reshape(m, [B, T, D]));
  }
  return dense(reshape(layernorm(x, p.lng, p.lnb), [B * T, D]), p.wout, p.bout); // [B * T, V]
}

/** Tokens/s of the words GPT trained with TF.js ops on the current backend; {value, note}. */
export function tfjsGptTrainRate() {
  const { T, batch: B, vocab: V } = GPT;
  const spec = gptSpec();
  const p = gptParams();
  const vars = [p.emb, p.pos, ...p.blocks.flatMap((k) => Object.values(k)), p.lng, p.lnb, p.wout, p.bout];
  const count = vars.reduce((s, v) => s + v.size, 0);
  const causal = new Float32Array(T * T); // 0 on and below the diagonal, -1e9 above: a position sees its past only
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) causal[i * T + j] = -1e9;
  const mask = tf.tensor2d(causal, [T, T]);
  const adam = tf.train.adam(spec.optimizer.lr, 0.9, 0.999, 1e-8);
  const stream = words().train;
  let s = 7, loss = NaN, steps = 0;
  const ids = new Int32Array(B * T), labels = new Int32Array(B * T);
  const step = () => {
    for (let b = 0; b < B; b++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const at = s % (stream.length - T);
      for (let t = 0; t < T; t++) { ids[b * T + t] = stream[at + t]; labels[b * T + t] = stream[at + t + 1]; }
    }
    const cost = tf.tidy(() => {
      const x = tf.tensor2d(ids, [B, T], 'int32'), y = tf.oneHot(tf.tensor1d(labels, 'int32'), V);
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, forward(p, x, mask)), vars);
      const decay = 1 - spec.optimizer.lr * WEIGHT_DECAY;
      for (const v of vars) v.assign(mul(v, decay));
      adam.applyGradients(grads);
      return value;
    });
    loss = cost.dataSync()[0];
    cost.dispose();
    steps++;
  };
  const r = measureRate(step, { work: B * T });
  const note = `${count} parameters (the embedding a one-hot matMul: no gather gradient on wasm); loss ${loss.toFixed(3)} after ${steps} steps`;
  tf.dispose([...vars, mask]);
  const caveat = 'the embedding is a one-hot matMul: the gradient of tf.gather needs UnsortedSegmentSum, which ' +
                 "TF.js's wasm backend does not have";
  return { value: r.rate, note, caveat };
}

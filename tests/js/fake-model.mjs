// A stand-in for wasm/tinytrain.js's Model with the same surface, in plain JS: a softmax (or linear, for mse)
// regression trained by SGD with seeded per-epoch shuffling. It lets the protocol and Trainer tests run without
// the wasm build and force the rare paths on purpose: divergence (a huge lr) and traps (trapAtStep).
import { mulberry32 } from '../../web/datasets.js';

export class FakeModel {
  static trapAtStep = 0; // > 0: trainSteps throws a WebAssembly.RuntimeError when reaching this step
  static live = 0;       // models not yet disposed

  static async create(spec) {
    spec = typeof spec === 'string' ? JSON.parse(spec) : spec;
    if (!Array.isArray(spec.input) || spec.input.length !== 1) throw new Error('input: expected [features]');
    const last = spec.layers[spec.layers.length - 1];
    if (!last || last.type !== 'dense' || !(last.units > 0)) {
      throw new Error(`layers[${spec.layers.length - 1}].units: expected a positive integer, got ${last && last.units}`);
    }
    FakeModel.live++;
    return new FakeModel(spec);
  }

  constructor(spec) {
    this.spec = spec;
    this.inputSize = spec.input[0];
    this.outputSize = spec.layers[spec.layers.length - 1].units;
    this.mse = spec.loss === 'mse';
    this.labelSize = this.mse ? this.outputSize : 1;
    this.paramCount = (this.inputSize + 1) * this.outputSize; // W (OUT, IN) then b (OUT)
    this.lr = spec.optimizer?.lr ?? 0.1;
    this.disposed = false;
    this.reset();
  }

  get flops() {
    const f = 2 * this.inputSize * this.outputSize;
    return { forward: f, train: 3 * f };
  }

  reset(seed = this.spec.seed ?? 1) { // no seed: the spec's, as Model#reset
    const r = mulberry32(seed);
    this.seed = seed;
    this.w = Float32Array.from({ length: this.paramCount }, () => (r() - 0.5) * 0.2);
    this.previous = null; // the weights before the last update, to roll back to on divergence (as the core)
    this.step = 0;
    this.epoch = 0;
    this.cursor = Infinity; // reshuffle at the first step
    this.shuffleRand = mulberry32(seed ^ 0x9e3779b9);
  }

  setData(x, y) {
    const n = x.length / this.inputSize;
    if (!Number.isInteger(n) || y.length !== n * this.labelSize) throw new Error(`y: expected ${n * this.labelSize} labels`);
    this.x = Float32Array.from(x);
    this.y = Float32Array.from(y);
    this.n = n;
    this.cursor = Infinity;
  }

  setHparam(name, value) {
    const known = ['lr', 'momentum', 'weight_decay', 'beta1', 'beta2', 'eps', 'clip_norm'];
    if (!known.includes(name)) throw new Error(`set_hparam: unknown name "${name}"`);
    if (name === 'lr') this.lr = value;
  }

  // logits (OUT) of sample i of x
  #forward(w, x, i) {
    const { inputSize: I, outputSize: O } = this;
    const z = new Float64Array(O);
    for (let o = 0; o < O; o++) {
      let s = w[O * I + o];
      for (let k = 0; k < I; k++) s += w[o * I + k] * x[i * I + k];
      z[o] = s;
    }
    return z;
  }

  // loss of one sample and dL/dz (OUT)
  #lossGrad(z, y, i) {
    const O = this.outputSize;
    if (this.mse) {
      let l = 0;
      const g = z.map((v, o) => { const d = v - y[i * O + o]; l += d * d; return (2 * d) / O; });
      return { l: l / O, g, correct: NaN };
    }
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    const c = y[i];
    const g = e.map((v, o) => v / s - (o === c ? 1 : 0));
    const argmax = z.indexOf(m);
    return { l: Math.log(s) + m - z[c], g, correct: argmax === c ? 1 : 0 };
  }

  trainSteps(steps, batchSize = 32) {
    if (!this.x) throw new Error('train_steps: no data; call set_data first');
    const { inputSize: I, outputSize: O } = this;
    let lossSum = 0, correct = 0, count = 0;
    for (let s = 0; s < steps; s++) {
      if (FakeModel.trapAtStep > 0 && this.step + 1 >= FakeModel.trapAtStep) {
        throw new WebAssembly.RuntimeError('unreachable');
      }
      const grad = new Float64Array(this.paramCount);
      let bl = 0;
      const b = Math.min(batchSize, this.n);
      for (let j = 0; j < b; j++) {
        if (this.cursor >= this.n) this.#shuffle();
        const i = this.order[this.cursor++];
        const z = this.#forward(this.w, this.x, i);
        const { l, g, correct: ok } = this.#lossGrad(z, this.y, i);
        bl += l; correct += ok; count++;
        for (let o = 0; o < O; o++) {
          for (let k = 0; k < I; k++) grad[o * I + k] += g[o] * this.x[i * I + k] / b;
          grad[O * I + o] += g[o] / b;
        }
      }
      bl /= b;
      const next = this.w.map((v, p) => v - this.lr * grad[p]);
      if (!Number.isFinite(bl) || bl > 1e4 || !next.every(Number.isFinite)) {
        const message = `diverged at step ${this.step + 1} (loss = ${Number.isFinite(bl) ? bl.toFixed(1) : 'nan'}): try a lower learning rate`;
        // a bad loss condemns the update that made these weights; a bad update alone leaves them
        const badLoss = !Number.isFinite(bl) || bl > 1e4;
        if (badLoss && this.previous) [this.w, this.previous] = [this.previous, null], this.step--;
        throw new Error(message);
      }
      this.previous = this.w;
      this.w = next;
      this.step++;
      lossSum += bl;
    }
    return { loss: lossSum / steps, accuracy: this.mse ? NaN : correct / count };
  }

  #shuffle() {
    if (this.order) this.epoch++;
    this.order = Array.from({ length: this.n }, (_, i) => i);
    for (let i = this.n - 1; i > 0; i--) {
      const j = Math.floor(this.shuffleRand() * (i + 1));
      [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
    }
    this.cursor = 0;
  }

  evaluate(x, y) {
    const n = x.length / this.inputSize;
    let l = 0, correct = 0;
    for (let i = 0; i < n; i++) {
      const r = this.#lossGrad(this.#forward(this.w, x, i), y, i);
      l += r.l; correct += r.correct;
    }
    return { loss: l / n, accuracy: this.mse ? NaN : correct / n };
  }

  predict(x) {
    const n = x.length / this.inputSize;
    const out = new Float32Array(n * this.outputSize);
    for (let i = 0; i < n; i++) out.set(this.#forward(this.w, x, i), i * this.outputSize);
    return out;
  }

  probabilities(x) {
    const out = this.predict(x);
    if (this.mse) return out;
    for (let i = 0; i < out.length; i += this.outputSize) {
      const row = out.subarray(i, i + this.outputSize);
      const m = Math.max(...row);
      let s = 0;
      for (let o = 0; o < row.length; o++) { row[o] = Math.exp(row[o] - m); s += row[o]; }
      for (let o = 0; o < row.length; o++) row[o] /= s;
    }
    return out;
  }

  getWeights() { return Float32Array.from(this.w); }

  setWeights(w) {
    if (!(w instanceof Float32Array) || w.length !== this.paramCount) {
      throw new Error(`setWeights: expected a Float32Array of ${this.paramCount} values, got ${w?.length}`);
    }
    this.w = Float32Array.from(w);
    this.previous = null;
  }

  dispose() {
    if (!this.disposed) FakeModel.live--;
    this.disposed = true;
  }
}

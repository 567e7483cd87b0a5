// A/B timing of whole-model work for kernel changes: the same cases as `make bench` (MLP 784-128-10 training at
// batch 64, digits CNN training at batch 32, batch-1 MLP inference) for two or more builds of tinytrain.wasm,
// interleaved round by round in fresh processes, medians per build. Not a test; a tool for the kernel author.
// Usage: BENCH_CLOCK=cpu node bench/kernels/bench_model.mjs [--rounds 3] [--cases mlp-sgd,cnn-adam] a.wasm b.wasm
// (BENCH_CLOCK=cpu leaves out time spent waiting for a core on this shared machine; BENCH_TIME sets seconds.)
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CASE_NAMES = ['mlp-sgd', 'mlp-adam', 'cnn-adam', 'infer-mlp'];

if (process.argv[2] === '--child') {
  // one (build, case) measurement; prints a number
  const [, , , wasmPath, kase] = process.argv;
  const tt = await import('../../wasm/tinytrain.js');
  const { mnist, mlpSpec, cnnSpec, measureRate, measureLatency, MLP, CNN } = await import('../common.mjs');
  await tt.loadTinytrain({ url: pathToFileURL(wasmPath) });
  const train = async (spec, batch) => {
    const { x, y } = mnist('train');
    const m = await tt.Model.create(spec);
    m.setData(x, y);
    const r = measureRate(() => m.trainSteps(10, batch), { work: 10 * batch });
    m.dispose();
    return r.rate;
  };
  let v;
  if (kase === 'mlp-sgd') v = await train(mlpSpec('sgd'), MLP.batch);
  else if (kase === 'mlp-adam') v = await train(mlpSpec('adam'), MLP.batch);
  else if (kase === 'cnn-adam') v = await train(cnnSpec(), CNN.batch);
  else if (kase === 'infer-mlp') {
    const m = await tt.Model.create(mlpSpec('adam'));
    const x1 = mnist('test').x.slice(0, 784);
    v = measureLatency(() => m.predict(x1));
  }
  console.log(v);
} else {
  const args = process.argv.slice(2), builds = [];
  let rounds = 3, cases = CASE_NAMES;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--rounds') rounds = Number(args[++i]);
    else if (args[i] === '--cases') cases = args[++i].split(',');
    else builds.push(args[i]);
  }
  const self = fileURLToPath(import.meta.url), res = {};
  for (let r = 0; r < rounds; r++)
    for (const c of cases)
      for (const b of builds) {
        const out = execFileSync(process.execPath, [self, '--child', b, c], { encoding: 'utf8' });
        ((res[c] ??= {})[b] ??= []).push(Number(out.trim().split('\n').at(-1)));
      }
  const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
  console.log(`case       ${builds.map((b) => b.padStart(28)).join(' ')}   (median of ${rounds}; ` +
              `samples/s, infer-mlp in µs; clock ${process.env.BENCH_CLOCK || 'wall'})`);
  for (const c of cases)
    console.log(c.padEnd(10) + ' ' + builds.map((b) => med(res[c][b]).toFixed(1).padStart(28)).join(' ') +
                '   all: ' + builds.map((b) => res[c][b].map((x) => x.toFixed(0)).join('/')).join(' | '));
}

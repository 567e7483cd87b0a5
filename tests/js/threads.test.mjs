// The threaded build (wasm/tinytrain-mt.wasm, wasm/threads.js) in Node: training gives the same weights, bit for bit,
// on 1, 2 or 3 threads as the single-threaded module (the MLP, the CNN with its sparse and dense convolution passes,
// the words GPT); Model.create's {threads} sets the count in use; a helper thread that dies is reported once and
// training goes on on one thread.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Model, loadTinytrain } from '../../wasm/tinytrain.js';
import { CASES, trainAll } from './threads-models.mjs';

const SCRIPT = fileURLToPath(new URL('./threads-train.mjs', import.meta.url));
// each count in its own process: a realm loads one module
const run = (arg) => JSON.parse(execFileSync(process.execPath, [SCRIPT, arg], { encoding: 'utf8' }));

test('weights are bit-identical on 1, 2 and 3 threads and with the single-threaded module', () => {
  const single = run('single');
  assert.equal(single.threads, 1);
  assert.equal(Object.keys(single.hashes).length, CASES.length);
  for (const threads of ['1', '2', '3', '2/3']) {
    const got = run(threads);
    assert.equal(got.threads, Number(threads[0]), 'the threads in use');
    assert.deepEqual(got.hashes, single.hashes, `${threads} threads against the single-threaded module`);
  }
});

// Runs module code in a fresh Node process (a realm loads one module) and parses what it prints. From a file: the
// helpers' worker threads inherit the process's flags, and --input-type would refuse their file.
function inFreshProcess(code) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinytrain-threads-'));
  try {
    fs.writeFileSync(path.join(dir, 'run.mjs'), code);
    return JSON.parse(execFileSync(process.execPath, [path.join(dir, 'run.mjs')], { encoding: 'utf8' }));
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
}
const TINYTRAIN = JSON.stringify(new URL('../../wasm/tinytrain.js', import.meta.url).href);
const SPEC = JSON.stringify(CASES[0].spec);

test('Model.create(spec, {threads}) sets the threads in use of a loaded threaded build, at most those started', () => {
  const got = inFreshProcess(`
    import { Model } from ${TINYTRAIN};
    const threadsOf = async (options) => { const m = await Model.create(${SPEC}, options); m.dispose(); return m.threads; };
    const out = { first: await threadsOf({ threads: 3 }) };
    out.one = await threadsOf({ threads: 1 });
    out.kept = await threadsOf();
    out.two = await threadsOf({ threads: 2 });
    out.capped = await threadsOf({ threads: 8 });
    out.refused = await threadsOf({ threads: 1.5 }).catch((e) => e.message);
    console.log(JSON.stringify(out));`);
  assert.deepEqual(got, { first: 3, one: 1, kept: 1, two: 2, capped: 3, refused: 'threads: expected an integer from 1, got 1.5' });
});

// tt_threads_awake: bit i for each helper i that woke up for a job since it was last read.
test('helpers beyond the count in use are parked: they wake for no job, and take jobs again once taken back in', () => {
  const got = inFreshProcess(`
    import { Model, loadTinytrain } from ${TINYTRAIN};
    import { CASES } from ${JSON.stringify(new URL('./threads-models.mjs', import.meta.url).href)};
    const core = await loadTinytrain({ threads: 3 });
    const c = CASES[0], { x, y } = c.data();
    const model = await Model.create(c.spec, { threads: 2 });
    model.setData(x, y);
    const stats = () => new Int32Array(core.memory.buffer, core.tt_threads_stats(), 10);
    // the helpers that woke up for a job while it trains until \`until\` says so (or for 10 s)
    const awake = (until) => {
      core.tt_threads_awake();
      let bits = 0;
      for (const end = Date.now() + 10000; !until(bits) && Date.now() < end;) {
        model.trainSteps(5, c.batch);
        bits |= core.tt_threads_awake();
      }
      return bits;
    };
    model.trainSteps(5, c.batch);
    stats();
    const out = { two: awake((bits) => bits & 2) };
    model.trainSteps(100, c.batch);
    out.two |= core.tt_threads_awake();
    out.helperChunks = stats()[6];
    core.setThreads({ threads: 3 });
    out.three = awake((bits) => bits === 6);
    model.dispose();
    console.log(JSON.stringify(out));`);
  assert.equal(got.two & 4, 0, `helper 2 woke up for jobs of 2 threads (helpers awake: ${got.two.toString(2)})`);
  assert.equal(got.two, 2, 'helper 1 takes jobs of 2 threads');
  assert.ok(got.helperChunks > 0, 'helper 1 ran no chunk');
  assert.equal(got.three, 6, 'both helpers take jobs of 3 threads');
});

test('Model.create(spec, {threads: 2}) after the single-threaded module loaded stays on 1 thread and says so', () => {
  const got = inFreshProcess(`
    import { Model } from ${TINYTRAIN};
    const model = await Model.create(${SPEC});
    const one = await Model.create(${SPEC}, { threads: 1 });
    const two = await Model.create(${SPEC}, { threads: 2 });
    console.log(JSON.stringify({ threads: [model.threads, one.threads, two.threads] }));`);
  assert.deepEqual(got.threads, [1, 1, 1]);
});

test('a helper that dies between steps: training goes on with one thread, to the same results', async () => {
  const wasm = await loadTinytrain({ threads: 2 });
  assert.equal(wasm.threads, 2);
  const expected = run('single').hashes;
  const [helper] = wasm.helpers;
  const warnings = [];
  const warn = console.warn;
  console.warn = (text) => warnings.push(text);
  try {
    helper.terminate();
    await once(helper, 'exit');
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(warnings, ['tinytrain: a helper thread stopped (it ended); training goes on with one thread']);
  assert.equal(wasm.threads, 1);
  const model = await Model.create(CASES[0].spec);
  assert.equal(model.threads, 1);
  model.dispose();
  assert.deepEqual(await trainAll(Model), expected, 'one thread after the loss, as the single-threaded module');
});

test('a helper that ends without a word (a browser tells no one) is noticed once jobs go on without it', () => {
  const script = fileURLToPath(new URL('./threads-silent-loss.mjs', import.meta.url));
  const got = JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8' }));
  assert.equal(got.before, 2);
  assert.equal(got.after, 1, `still ${got.after} threads after ${got.seconds} s`);
  assert.ok(got.seconds >= 9, `noticed after ${got.seconds} s: a helper gets 10 s`);
  const [, silence] = /^tinytrain: a helper thread stopped \(helper 1 has not answered for (\d+) s\); training goes on with one thread$/
    .exec(got.warnings.join()) ?? [];
  assert.ok(silence >= 10, `warnings: ${JSON.stringify(got.warnings)}`);
});

test('Model.create({threads}) after the threaded build has loaded sets the threads in use (a restarted training worker asks for 1)', () => {
  const script = fileURLToPath(new URL('./threads-create.mjs', import.meta.url));
  const out = execFileSync(process.execPath, [script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), [1, 2, 2, 2], 'threads 1, then 2, kept when not given, at most the 2 started');
});

test('threads out of range are refused with a message', async () => {
  const { instantiateThreaded } = await import('../../wasm/threads.js');
  assert.equal(await instantiateThreaded(1), undefined, '1 thread: the single-threaded module');
  await assert.rejects(instantiateThreaded(17), /threads: expected an integer from 1 to 16, got 17/);
  await assert.rejects(instantiateThreaded(1.5), /got 1.5/);
});

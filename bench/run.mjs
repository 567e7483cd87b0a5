// The benchmark runner behind `make bench`: runs every (case, system) in its own Node process
// (`node bench/<system>.mjs <case>`), one process at a time, repetitions interleaved across systems (rep r starts
// with a different system, so slow drift of a shared machine hits all systems alike), takes medians, prints a
// markdown table (paste-able into the README) and writes bench/results/latest.json.
//
// Usage: node bench/run.mjs [--reps N] [--time S] [--cases a,b] [--systems x,y]
//   --reps     repetitions per (case, system); default 3 (BENCH_REPS). Cases marked reps: 1 run once.
//   --time     seconds per measurement inside a process; default 1 (BENCH_TIME). 0.3 gives a quick look.
//   --cases    only these cases (names from bench/common.mjs: gemm, mlp-sgd, mlp-adam, cnn-adam, infer-mlp, ...)
//   --systems  only these systems (tinytrain, pytorch, tfjs-wasm, tfjs-cpu, convnetjs, tinytrain-browser,
//              tinytrain-cli, tinytrain-budgets)
//   --clock    wall (default) or cpu (BENCH_CLOCK): rates from wall-clock time or from the process's CPU time;
//              on a busy shared machine the cpu clock leaves out time spent waiting for a core.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASES, SYSTEM_NAMES, median } from './common.mjs';
import { budgetTable } from './budgets.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BASELINE = 'tfjs-wasm';
const SYSTEMS = ['tinytrain', 'pytorch', 'tfjs-wasm', 'tfjs-cpu', 'convnetjs', 'tinytrain-browser', 'tinytrain-cli',
                 'tinytrain-budgets'];

function parseArgs(argv) {
  const o = { reps: Number(process.env.BENCH_REPS || 3), time: Number(process.env.BENCH_TIME || 1),
              clock: process.env.BENCH_CLOCK || 'wall', cases: Object.keys(CASES), systems: SYSTEMS };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--reps') { o.reps = Number(v); i++; }
    else if (argv[i] === '--time') { o.time = Number(v); i++; }
    else if (argv[i] === '--cases') { o.cases = v.split(','); i++; }
    else if (argv[i] === '--systems') { o.systems = v.split(','); i++; }
    else if (argv[i] === '--clock') { o.clock = v; i++; }
    else { console.error(`unknown argument ${argv[i]}; see the top of bench/run.mjs`); process.exit(2); }
  }
  for (const c of o.cases) if (!CASES[c]) { console.error(`unknown case ${c}`); process.exit(2); }
  if (!(o.reps >= 1 && o.time > 0)) { console.error('--reps must be >= 1 and --time > 0'); process.exit(2); }
  if (o.clock !== 'wall' && o.clock !== 'cpu') { console.error('--clock must be wall or cpu'); process.exit(2); }
  return o;
}

// Runs one system on one case; resolves to {results: [...], log: [lines], error}.
function runProcess(system, kase, time, clock) {
  const limitSeconds = Math.max(CASES[kase].timeLimit ?? 300, 200 * time);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join('bench', `${system}.mjs`), kase], {
      cwd: ROOT, env: { ...process.env, BENCH_TIME: String(time), BENCH_CLOCK: clock }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    // A stuck process must not stall the run: the accuracy cases train for up to 2 minutes, the GPT's 2,000 steps
    // (gpt-quality, with its own limit) a few minutes.
    const limit = setTimeout(() => child.kill('SIGKILL'), limitSeconds * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      const results = [], log = [];
      for (const line of out.split('\n')) {
        if (line.startsWith('BENCH_RESULT ')) results.push(JSON.parse(line.slice(13)));
        else if (line.trim() && !/tfjs-node|TensorFlow\.js in Node|^=+$/.test(line)) log.push(line);
      }
      const errLines = err.split('\n').filter((l) => l.trim() && !/^\s+at /.test(l));
      const error = code !== 0 || results.length === 0
        ? (signal ? `killed by ${signal}` : `exit ${code}`) + (errLines.length ? `: ${errLines.slice(-3).join(' | ')}` : '')
        : null;
      resolve({ results, log, error });
    });
  });
}

const fmt = (v, unit) => {
  if (unit === '%') return v.toFixed(2);
  if (unit === 'nats/char') return v.toFixed(3);
  if (v >= 1000) return Math.round(v).toLocaleString('en-US');
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
};

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const env = { date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model,
                cores: os.cpus().length, loadavgStart: os.loadavg().map((l) => +l.toFixed(2)),
                reps: opt.reps, time: opt.time, clock: opt.clock };
  console.log(`tinytrain bench: ${env.cpu}, ${env.cores} cores, Node ${env.node}, load ${env.loadavgStart.join(' ')}; ` +
              `${opt.reps} reps x ${opt.time} s per measurement (${opt.clock} clock), each system in its own process`);
  const rows = new Map(); // `${case}\t${row}` -> {case, row, unit, higher, systems: {sys: {values, status, notes}}}
  const logs = new Map(); // first output of each system (e.g. which TF.js wasm binary it loaded)
  const shares = [];      // CPU time / wall time of every measurement

  for (const kase of opt.cases) {
    const c = CASES[kase];
    const systems = c.systems.filter((s) => opt.systems.includes(s));
    const reps = Math.min(c.reps ?? opt.reps, opt.reps);
    // A system is not run again once it reports 'pending'/'not-yet', or fails twice in a row: repeating it would
    // only repeat the failure. One failure may be transient (e.g. wasm/tinytrain.wasm being rebuilt meanwhile).
    const settled = new Set(), failedOnce = new Set();
    for (let r = 0; r < reps; r++) {
      for (let i = 0; i < systems.length; i++) {
        const system = systems[(i + r) % systems.length];
        if (settled.has(system)) continue;
        const t = Date.now();
        const { results, log, error } = await runProcess(system, kase, opt.time, opt.clock);
        if (!logs.has(system) && log.length) {
          logs.set(system, log);
          for (const l of log) console.log(`  [${system}] ${l}`);
        }
        if (error) results.push({ system, case: kase, row: c.title, status: 'failed', value: null, unit: c.unit,
                                  note: `the process failed (${error})` });
        let anyOk = false;
        for (const res of results) {
          const key = `${kase}\t${res.row}`;
          if (!rows.has(key)) rows.set(key, { case: kase, row: res.row, unit: res.unit || c.unit,
                                              higher: res.higher ?? c.higher, systems: {} });
          const cell = (rows.get(key).systems[system] ??= { values: [], status: res.status, notes: [], caveat: '',
                                                              cpuShares: [] });
          if (res.cpuShare) { cell.cpuShares.push(res.cpuShare); shares.push(res.cpuShare); }
          if (res.caveat) cell.caveat = res.caveat;
          if (res.status === 'ok') { cell.values.push(res.value); cell.status = 'ok'; anyOk = true; }
          if (res.note && !cell.notes.includes(res.note)) cell.notes.push(res.note);
          if (res.status !== 'ok' && cell.status !== 'ok') cell.status = res.status;
        }
        const stub = results.some((x) => x.status === 'pending' || x.status === 'not-yet');
        if (anyOk) failedOnce.delete(system);
        else if (stub || failedOnce.has(system)) settled.add(system);
        else failedOnce.add(system);
        const summary = results.map((x) => x.status === 'ok' ? fmt(x.value, x.unit) : x.status).join(' ');
        console.log(`  ${kase} rep ${r + 1}/${reps} ${system}: ${summary} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
      }
    }
  }

  // Medians and ratios. speedup > 1 means tinytrain is faster (higher throughput or lower latency).
  const speedup = (row, a, b) => row.higher ? a / b : b / a;
  const table = [];
  for (const row of rows.values()) {
    for (const cell of Object.values(row.systems)) cell.median = cell.values.length ? median(cell.values) : null;
    // A case may name its own baseline (the GPT cases compare with PyTorch); TF.js wasm otherwise.
    row.baseline = CASES[row.case].baseline ?? BASELINE;
    const tt = row.systems.tinytrain?.median, base = row.systems[row.baseline]?.median;
    row.vsBaseline = tt && base ? speedup(row, tt, base) : null;
    const tfjs = row.systems[BASELINE]?.median;
    if (row.baseline !== BASELINE && tt && tfjs) row.vsTfjs = speedup(row, tt, tfjs);
    // When TF.js wasm has no number (it cannot train the CNN), compare with the fastest system that has one.
    if (tt && !base) {
      let best = null;
      for (const [s, cell] of Object.entries(row.systems)) {
        // another system, not another face of tinytrain (its native CLI)
        if (!s.startsWith('tinytrain') && cell.median && (!best || speedup(row, cell.median, best[1]) > 1)) {
          best = [s, cell.median];
        }
      }
      if (best) row.vsBest = { system: best[0], speedup: speedup(row, tt, best[1]) };
    }
    table.push(row);
  }

  // Markdown table: one line per row, one column per system, failures as numbered notes under the table.
  // The budgets case has its own table (limits, not speed-ups), printed after this one.
  const budgetRows = table.filter((r) => r.case === 'budgets'), compared = table.filter((r) => r.case !== 'budgets');
  const cols = opt.systems.filter((s) => compared.some((r) => r.systems[s]));
  const notes = [];
  const noteRef = (text) => { let i = notes.indexOf(text); if (i < 0) i = notes.push(text) - 1; return `[${i + 1}]`; };
  const lines = [];
  lines.push(`| case | unit | ${cols.map((s) => SYSTEM_NAMES[s]).join(' | ')} | tinytrain speed-up |`);
  lines.push(`| --- | --- | ${cols.map(() => '---:').join(' | ')} | --- |`);
  for (const row of compared) {
    const cells = cols.map((s) => {
      const cell = row.systems[s];
      if (!cell) return '—';
      if (cell.median !== null) return fmt(cell.median, row.unit) + (cell.caveat ? ' ' + noteRef(cell.caveat) : '');
      const label = { failed: 'fails', pending: 'pending', 'not-yet': 'not yet' }[cell.status] ?? cell.status;
      return `${label} ${noteRef(`${SYSTEM_NAMES[s]}, ${row.row}: ${cell.notes.join('; ') || cell.status}`)}`;
    });
    let ratio = '';
    const browser = row.systems['tinytrain-browser']?.median, node = row.systems.tinytrain?.median;
    const base = row.systems[row.baseline]?.median;
    if (row.unit === 'nats/char' && node && base) {
      ratio = `${node - base >= 0 ? '+' : '−'}${Math.abs(node - base).toFixed(3)} nats vs ${SYSTEM_NAMES[row.baseline]}`;
    } else if (row.unit === '%' && row.case !== 'acc-mlp' && row.case !== 'acc-cnn' && node && base) {
      ratio = `${node >= base ? '+' : '−'}${Math.abs(node - base).toFixed(1)} points vs ${SYSTEM_NAMES[row.baseline]}`;
    } else if (row.baseline !== BASELINE) {
      // the GPT cases: every comparison that has numbers, side by side
      const parts = [];
      if (row.vsBaseline) parts.push(`${row.vsBaseline.toFixed(2)}× vs ${SYSTEM_NAMES[row.baseline]}`);
      if (row.vsTfjs) parts.push(`${row.vsTfjs.toFixed(2)}× vs TF.js wasm`);
      if (browser && node) parts.push(`the worker runs at ${Math.round(row.higher ? (100 * browser) / node : (100 * node) / browser)}% of Node's speed`);
      ratio = parts.join('; ');
    } else if (browser && node) ratio = `the worker runs at ${Math.round((100 * browser) / node)}% of Node's speed`;
    else if (row.vsBaseline) ratio = `${row.vsBaseline.toFixed(2)}× vs TF.js wasm`;
    else if (row.vsBest) ratio = `${row.vsBest.speedup.toFixed(1)}× vs ${SYSTEM_NAMES[row.vsBest.system]}`;
    // cases whose rows are not one measurement under the case's title name their rows
    const name = row.case === 'gemm' ? row.row
      : row.row === CASES[row.case].title ? CASES[row.case].title : `${CASES[row.case].title}: ${row.row}`;
    lines.push(`| ${name} | ${row.unit} | ${cells.join(' | ')} | ${ratio} |`);
  }

  env.loadavgEnd = os.loadavg().map((l) => +l.toFixed(2));
  env.cpuShare = shares.length ? +median(shares).toFixed(3) : null;
  env.seconds = Math.round((Date.now() - t0) / 1000);
  console.log('');
  console.log(`Medians of ${opt.reps} runs (each its own process, ${opt.clock}-clock), ${env.cpu}, Node ${env.node}, ` +
              `single thread; ` +
              `${logs.get(BASELINE)?.join(' ').replace(/^tfjs-wasm: /, '') ?? 'TF.js wasm backend not run'}.`);
  console.log('');
  if (compared.length) for (const l of lines) console.log(l);
  if (notes.length) console.log('');
  notes.forEach((n, i) => console.log(`[${i + 1}] ${n}`));
  const budgets = budgetTable(Object.fromEntries(budgetRows.map((r) => [r.row, r.systems['tinytrain-budgets']?.median])));
  if (budgetRows.length) {
    console.log('');
    console.log(`docs/design.md budgets, headless Chromium (medians of ${opt.reps} runs; notes in the JSON):`);
    console.log('');
    for (const l of budgets.lines) console.log(l);
    for (const r of budgetRows) {
      const cell = r.systems['tinytrain-budgets'];
      if (cell?.median === null) console.log(`not measured: ${r.row}: ${cell.notes.join('; ')}`);
    }
  }
  console.log('');
  const share = env.cpuShare === null ? 'an unmeasured share' : `${Math.round(env.cpuShare * 100)}%`;
  console.log(`load average ${env.loadavgStart.join(' ')} -> ${env.loadavgEnd.join(' ')}; the measured processes ` +
              `had a core ${share} of the time (median); ${env.seconds} s in all`);
  if (opt.clock === 'wall' && env.cpuShare !== null && env.cpuShare < 0.9) {
    console.log('WARNING: the machine was busy, so these wall-clock numbers are pessimistic (ratios from ' +
                'interleaved runs hold up better). Rerun when it is quiet, or with BENCH_CLOCK=cpu.');
  }

  const outDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const json = { ...env, baseline: BASELINE, logs: Object.fromEntries(logs), markdown: lines.join('\n'), notes,
                 rows: table, budgets: budgets.rows };
  fs.writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(json, null, 2) + '\n');
  console.log(`wrote bench/results/latest.json`);
}

main().catch((e) => { console.error(e.stack || e.message); process.exit(1); });

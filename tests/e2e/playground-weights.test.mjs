// "Download weights" / "Load weights" on the playground, in headless Chromium: a trained snapshot downloads as a
// tinytrain .safetensors file carrying the page's spec; loaded into a page started with another seed (file picker)
// it gives the same map and predictions and training continues from it; a plain safetensors file (as PyTorch
// writes) fits the current network; malformed or unfitting files are refused with a message while the previous
// model keeps predicting; a file dropped on the map rebuilds the network editor from its spec. One browser; the
// spec -> form mapping (config.js) is also checked without one.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startBrowser, openPage, screenshot, waitForValue } from './helpers.mjs';
import { Model } from '../../wasm/tinytrain.js';
import { DEFAULTS, buildSpec, toHash, cloneConfig, configFromSpec, lossesFor } from '../../demos/playground/config.js';

let env;
test.before(async () => { env = await startBrowser(); });
test.after(async () => { if (env) await env.close(); });

// 64 probe points on rings around the origin (2 values each): where predictions are compared.
const PROBES = Array.from({ length: 64 }, (_, i) => {
  const r = 0.1 + (i % 8) * 0.12, a = i * 0.7;
  return [r * Math.cos(a), r * Math.sin(a)];
}).flat();

async function openPlayground(config = DEFAULTS) {
  const { page, context, errors } = await openPage(env.browser);
  await page.goto(`${env.origin}/demos/playground/#${toHash(config)}`);
  await waitForValue(page, () => document.getElementById('status').textContent === 'ready', null,
    { what: 'status "ready"', timeoutMs: 30000 });
  await waitForValue(page, () => window.playground.stats.paints > 0, null, { what: 'the first map paint' });
  return { page, context, errors };
}

const stat = (page, id) => page.evaluate((i) => Number(document.getElementById(i).dataset.value), id);
const predict = (page) => page.evaluate((p) => Array.from(window.playground.trainer.predictor.probabilities(new Float32Array(p))), PROBES);
// The predictor's accuracy on the page's held-out points (the worker's split, as the map shows them).
const pageAccuracy = (page) => page.evaluate(() => {
  const { predictor, info } = window.playground.trainer, { testX, testY, classes } = info.dataset;
  const p = predictor.probabilities(testX);
  let right = 0;
  for (let i = 0; i < testY.length; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (p[i * classes + k] > p[i * classes + best]) best = k;
    right += best === testY[i];
  }
  return right / testY.length;
});
const maxAbsDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
// A fingerprint of the map's pixels (the decision map and the data points, no probe marker), read after two
// animation frames: the page's frame loop (registered first) has painted the latest weights by then.
const mapHash = (page) => page.evaluate(async () => {
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const c = document.getElementById('map');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let h = 2166136261;
  for (let i = 0; i < d.length; i += 4) h = Math.imul(h ^ (d[i] | (d[i + 1] << 8) | (d[i + 2] << 16)), 16777619);
  return h >>> 0;
});
// The probe line for the map's centre, without its (timing-dependent) latency.
async function probeText(page) {
  const box = await page.locator('#map').boundingBox();
  await page.mouse.move(box.x + box.width * 0.37, box.y + box.height * 0.61);
  const t = await page.evaluate(() => document.getElementById('probe').textContent);
  await page.mouse.move(0, 0); // off the map: the probe marker goes away at the next frame
  return t.replace(/ · .*µs per prediction$/, '');
}

function readHeader(bytes) {
  const n = Number(bytes.readBigUInt64LE(0));
  return { n, header: JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) };
}

function checkNoErrors(errors) {
  assert.deepEqual(errors, [], `errors on the page:\n${errors.join('\n')}`);
}

// No browser: the mapping from a file's spec back to the form (config.js has no DOM).
test('configFromSpec: every playground spec maps back to its config; unfitting specs are refused by name', () => {
  const base = cloneConfig(DEFAULTS);
  for (const [dataset, arms] of [['spiral', 2], ['spiral', 3], ['circles', 2], ['xor', 2], ['moons', 2], ['gaussians', 2], ['sine', 2]]) {
    for (const loss of lossesFor(dataset, arms)) {
      const c = { ...base, dataset, arms, loss, layers: [{ units: 5, act: 'linear' }, { units: 7, act: 'gelu' }], optimizer: 'momentum', lr: 0.2, seed: 4 };
      const { config, ignored } = configFromSpec(buildSpec(c), { ...base, dataset, arms });
      assert.deepEqual(config, c, `${dataset}/${arms} arms/${loss} does not map back`);
      assert.deepEqual(ignored, []);
    }
  }
  // Not the current dataset's shape: the first dataset that fits (3 classes -> spiral with 3 arms; 1 input -> sine).
  assert.equal(configFromSpec(buildSpec({ ...base, dataset: 'gaussians' }), base).config.arms, 3);
  assert.equal(configFromSpec(buildSpec({ ...base, dataset: 'sine', loss: 'mse' }), base).config.dataset, 'sine');
  const spec = (layers, extra = {}) => ({ input: [2], layers, loss: 'cross_entropy', optimizer: { type: 'adam', lr: 0.01 }, seed: 1, ...extra });
  const dense = (units) => ({ type: 'dense', units });
  assert.throws(() => configFromSpec(spec([dense(4), { type: 'leaky_relu', slope: 0.2 }, dense(2)]), base), /layers\[1\] \(leaky_relu\): the editor has no setting for slope/);
  assert.throws(() => configFromSpec(spec([dense(4), { type: 'layernorm' }, dense(2)]), base), /layers\[1\] \(layernorm\)/);
  assert.throws(() => configFromSpec(spec([dense(200), dense(2)]), base), /1 to 128 units, got 200/);
  assert.throws(() => configFromSpec(spec(Array.from({ length: 8 }, () => dense(2))), base), /at most 6/);
  assert.throws(() => configFromSpec({ ...spec([dense(10)]), input: [784] }, base), /784 input\(s\), 10 output\(s\)/);
  assert.throws(() => configFromSpec(spec([dense(2)], { optimizer: { type: 'adam', lr: 50 } }), base), /Learning rate: expected a number/);
  const { ignored } = configFromSpec(spec([dense(2)], { optimizer: { type: 'adamw', lr: 0.01, weight_decay: 0.1 } }), base);
  assert.deepEqual(ignored, ['optimizer.weight_decay']);
});

const FILE = { mimeType: 'application/octet-stream' };
let downloaded; // {bytes, probs, map, probe, config}: the trained snapshot of the first test

test('Download weights: the trained snapshot is a safetensors file whose metadata spec is the page\'s', async () => {
  const { page, context, errors } = await openPlayground();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForValue(page, () => Number(document.getElementById('stat-test-acc').dataset.value) >= 0.95, null,
    { timeoutMs: 20000, what: 'test accuracy >= 95%' });
  await page.getByRole('button', { name: 'Pause' }).click();
  await waitForValue(page, () => document.getElementById('status').textContent === 'paused', null, { what: 'paused' });
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download weights' }).click(),
  ]);
  const bytes = await readFile(await download.path());
  assert.equal(download.suggestedFilename(), 'playground-spiral.safetensors');
  const { n, header } = readHeader(bytes);
  const config = await page.evaluate(() => window.playground.config);
  assert.equal(header.__metadata__.format, 'tinytrain');
  assert.deepEqual(JSON.parse(header.__metadata__.spec), buildSpec(config), 'the metadata spec is the page\'s spec');
  const paramCount = await stat(page, 'stat-params');
  assert.equal(bytes.length, 8 + n + 4 * paramCount, `the file holds ${paramCount} float32 parameters after the header`);
  assert.deepEqual(Object.keys(header).filter((k) => k !== '__metadata__'),
    ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias'], 'PyTorch nn.Sequential tensor names');
  downloaded = {
    bytes, config, probs: await predict(page), map: await mapHash(page), probe: await probeText(page),
    acc: await pageAccuracy(page),
  };
  // After a live learning-rate change the file says what the form says; the weights are the same.
  await page.fill('#lr', '0.005');
  await page.locator('#lr').dispatchEvent('change');
  const [again] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download weights' }).click(),
  ]);
  const bytes2 = await readFile(await again.path());
  const h2 = readHeader(bytes2);
  assert.equal(JSON.parse(h2.header.__metadata__.spec).optimizer.lr, 0.005, 'the live learning rate is in the file');
  assert.ok(bytes2.subarray(8 + h2.n).equals(bytes.subarray(8 + n)), 'the same weights');
  console.log(`downloaded ${bytes.length} bytes at step ${await stat(page, 'stat-step')}, test accuracy ` +
    `${(downloaded.acc * 100).toFixed(1)}%; probe: ${downloaded.probe}`);
  checkNoErrors(errors);
  await context.close();
});

test('Load weights (file picker) into a page with another seed: same map and predictions, then training continues', async () => {
  assert.ok(downloaded, 'needs the file of the previous test');
  const { page, context, errors } = await openPlayground({ ...cloneConfig(DEFAULTS), seed: 5 });
  const fresh = await predict(page);
  assert.ok(maxAbsDiff(fresh, downloaded.probs) > 0.01, 'a page with seed 5 predicts differently before loading');
  const freshAcc = await pageAccuracy(page);
  const paints = await page.evaluate(() => window.playground.stats.paints);
  await page.locator('#load-weights').setInputFiles({ ...FILE, name: 'trained.safetensors', buffer: downloaded.bytes });
  await waitForValue(page, () => document.getElementById('status').textContent === 'ready (weights from trained.safetensors)',
    null, { what: 'the file\'s model to be ready', timeoutMs: 30000 });
  // The new trainer paints only once it has the file's weights (the old one is gone and was idle).
  await waitForValue(page, (n) => window.playground.stats.paints > n, paints, { what: 'the map painted with the file\'s weights' });
  const config = await page.evaluate(() => window.playground.config);
  assert.deepEqual(config, downloaded.config, 'the form describes the file\'s model (seed 1 again)');
  assert.equal(await page.evaluate(() => location.hash.slice(1)), toHash(downloaded.config), 'the link follows');
  assert.equal(await page.locator('#seed').inputValue(), '1');
  const diff = maxAbsDiff(await predict(page), downloaded.probs);
  assert.equal(diff, 0, `predictions at ${PROBES.length / 2} points differ from the downloaded model's by up to ${diff}`);
  assert.equal(await mapHash(page), downloaded.map, 'the map is pixel-identical to the one the file was saved from');
  assert.equal(await probeText(page), downloaded.probe, 'hovering the same spot gives the same answer');
  const loadedAcc = await pageAccuracy(page);
  console.log(`held-out accuracy on the page: seed 5 untrained ${(freshAcc * 100).toFixed(1)}%, loaded ` +
    `${(loadedAcc * 100).toFixed(1)}% (when saved: ${(downloaded.acc * 100).toFixed(1)}%)`);
  assert.equal(loadedAcc, downloaded.acc, 'the loaded model scores what the saved one did');
  assert.ok(freshAcc < 0.8, `an untrained model scores ${freshAcc} already: the comparison would prove nothing`);
  await screenshot(page, 'playground-weights-loaded');

  // Train from there: the step counter starts at 0 and advances; test accuracy stays high from the first report.
  await page.evaluate(() => {
    window.__progress = [];
    window.playground.trainer.addEventListener('progress', (e) => window.__progress.push([e.detail.step, e.detail.testAccuracy]));
  });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitForValue(page, () => Number(document.getElementById('stat-step').dataset.value) >= 300, null,
    { what: '300 more steps', timeoutMs: 30000 });
  await page.getByRole('button', { name: 'Pause' }).click();
  const reports = (await page.evaluate(() => window.__progress)).filter(([step, acc]) => step > 0 && Number.isFinite(acc));
  assert.ok(reports.length > 0, 'progress reports with a test accuracy arrived');
  const lowest = reports.reduce((m, [, a]) => Math.min(m, a), 1);
  console.log(`continued: ${reports.length} reports, first at step ${reports[0][0]} with ${(reports[0][1] * 100).toFixed(1)}%, ` +
    `lowest ${(lowest * 100).toFixed(1)}%`);
  // Adam's moments are not in the file (weights only), so the first steps jolt a little; untrained scores 50%.
  assert.ok(lowest >= 0.85, `test accuracy fell to ${(lowest * 100).toFixed(1)}% after loading (file: ${(downloaded.acc * 100).toFixed(1)}%)`);
  checkNoErrors(errors);
  await context.close();
});

test('bad files: random bytes and an MNIST-sized model are refused with a message; the model keeps predicting; a plain PyTorch-style file loads', async () => {
  assert.ok(downloaded, 'needs the file of the previous test');
  const { page, context, errors } = await openPlayground();
  const before = await predict(page);
  const hash = await page.evaluate(() => location.hash);
  const junk = Buffer.from([0x8c, 0x3e, 0x11, 0xf0, 0x02, 0x9a, 0x47, 0xd3, 0x6b, 0x25]); // 10 arbitrary bytes
  await page.locator('#load-weights').setInputFiles({ ...FILE, name: 'junk.safetensors', buffer: junk });
  await waitForValue(page, () => !document.getElementById('message').hidden, null, { what: 'the error message' });
  const msg = await page.evaluate(() => document.getElementById('message').textContent);
  console.log(`random bytes: ${msg}`);
  assert.match(msg, /^junk\.safetensors is not a weights file this page can read: load a \.safetensors file/);
  assert.doesNotMatch(msg, /header|offset|\d{5,}/, 'no developer details in the reader\'s message');
  assert.equal(await page.evaluate(() => document.getElementById('message').className), 'error');
  assert.equal(maxAbsDiff(await predict(page), before), 0, 'the previous model still predicts the same');
  assert.equal(await page.evaluate(() => location.hash), hash, 'the link is unchanged');
  assert.equal(await page.evaluate(() => document.getElementById('status').textContent), 'ready');

  // A valid tinytrain file whose model cannot be a playground model (784 inputs, as on the Digits page).
  const digits = await Model.create({ input: [784], layers: [{ type: 'dense', units: 10 }], loss: 'cross_entropy', optimizer: { type: 'adam', lr: 0.001 }, seed: 1 });
  const digitsBytes = Buffer.from(digits.save());
  digits.dispose();
  await page.locator('#load-weights').setInputFiles({ ...FILE, name: 'digits.safetensors', buffer: digitsBytes });
  await waitForValue(page, () => /^digits\.safetensors/.test(document.getElementById('message').textContent), null,
    { what: 'the message about the digits model' });
  const msg2 = await page.evaluate(() => document.getElementById('message').textContent);
  console.log(`784-input model: ${msg2}`);
  assert.match(msg2, /does not fit the playground: a model with 784 input\(s\), 10 output\(s\)/);
  assert.equal(maxAbsDiff(await predict(page), before), 0, 'the previous model still predicts the same');

  // The downloaded file without its metadata (as PyTorch's save_file writes it): loaded into the current network.
  const { n, header } = readHeader(downloaded.bytes);
  delete header.__metadata__;
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const plain = Buffer.concat([len, json, downloaded.bytes.subarray(8 + n)]);
  await page.locator('#load-weights').setInputFiles({ ...FILE, name: 'from-torch.safetensors', buffer: plain });
  await waitForValue(page, () => document.getElementById('status').textContent === 'ready (weights from from-torch.safetensors)',
    null, { what: 'the plain file to load', timeoutMs: 30000 });
  assert.equal(await page.evaluate(() => document.getElementById('message').hidden), true, 'the old message is gone');
  const diff = maxAbsDiff(await predict(page), downloaded.probs);
  assert.equal(diff, 0, `the plain file's model predicts differently from the downloaded one by ${diff}`);
  checkNoErrors(errors);
  await context.close();
});

test('drop a file on the map: the network editor and the link are rebuilt from its spec', async () => {
  const { page, context, errors } = await openPlayground();
  // A different network made in Node: one hidden layer of 8 tanh units, sgd + momentum, seed 9.
  const config = { ...cloneConfig(DEFAULTS), layers: [{ units: 8, act: 'tanh' }], optimizer: 'momentum', lr: 0.1, seed: 9 };
  const m = await Model.create(buildSpec(config));
  const bytes = Array.from(m.save());
  const expected = Array.from(m.probabilities(new Float32Array(PROBES)));
  m.dispose();
  const classes = await page.evaluate(async ([b, name]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(b)], name, { type: 'application/octet-stream' }));
    const map = document.getElementById('map');
    const init = { dataTransfer: dt, bubbles: true, cancelable: true };
    map.dispatchEvent(new DragEvent('dragenter', init));
    const accepted = !map.dispatchEvent(new DragEvent('dragover', init)); // default prevented: a drop target
    const during = map.classList.contains('dragover');
    map.dispatchEvent(new DragEvent('drop', init));
    return { accepted, during, after: map.classList.contains('dragover') };
  }, [bytes, 'dropped.safetensors']);
  assert.deepEqual(classes, { accepted: true, during: true, after: false }, 'the map accepts the drag and shows it');
  await waitForValue(page, () => document.getElementById('status').textContent === 'ready (weights from dropped.safetensors)',
    null, { what: 'the dropped file\'s model to be ready', timeoutMs: 30000 });
  assert.deepEqual(await page.evaluate(() => window.playground.config), config);
  assert.equal(await page.evaluate(() => location.hash.slice(1)), toHash(config));
  assert.equal(await page.locator('#layers li').count(), 1, 'one hidden layer in the editor');
  assert.equal(await page.locator('#layers .units').inputValue(), '8');
  assert.equal(await page.locator('#layers .act').inputValue(), 'tanh');
  assert.equal(await page.locator('#optimizer').inputValue(), 'momentum');
  const diff = maxAbsDiff(await predict(page), expected);
  assert.ok(diff < 1e-6, `the page's predictions differ from Node's for the same file by ${diff}`);
  checkNoErrors(errors);
  await context.close();
});

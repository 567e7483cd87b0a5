// <tiny-train>'s attribute parsing (web/widget/config.js) and CSV reader (web/widget/csv.js), in Node: every bad
// value gives a message that names the attribute (or file:line:column), and never an exception to the page.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readConfig, buildSpec, DEFAULTS } from '../../web/widget/config.js';
import { parseCsv } from '../../web/widget/csv.js';

const read = (attrs) => readConfig((n) => (n in attrs ? attrs[n] : null));

test('attributes parse into a config; absent ones keep the defaults', () => {
  const { config, problems } = read({ demo: 'moons', layers: '8 tanh, 4', optimizer: 'sgd', 'batch-size': '16',
    seed: '7', steps: '500', controls: 'lr batch-size speed', theme: 'dark', autoplay: '', speed: 'watch' });
  assert.deepEqual(problems, []);
  assert.deepEqual(config.layers, [[8, 'tanh'], [4, 'relu']]);
  assert.equal(config.lr, 0.1, 'sgd without lr gets its usual 0.1');
  assert.deepEqual([config.demo, config['batch-size'], config.seed, config.steps, config.theme, config.autoplay],
    ['moons', 16, 7, 500, 'dark', true]);
  assert.deepEqual([config.controls, config.speed], [['lr', 'batch-size', 'speed'], 'watch']);
  assert.deepEqual(read({ layers: 'none', controls: 'none' }).config.layers, []);
  assert.deepEqual(read({}).config, { ...DEFAULTS });
});

test('bad attribute values give messages naming the attribute, and the default is kept', () => {
  const { config, problems } = read({ lr: 'abc', layers: '16 tanh, 8 <b>', demo: 'mnist', 'batch-size': '-5',
    seed: '1.5', theme: 'neon', controls: 'lr,knobs', steps: '', speed: 'slow' });
  const expected = ['demo: expected one of spiral', 'layers item 2: expected "units activation"', 'lr: expected a number',
    'batch-size: expected an integer from 1 to 1024, got "-5"', 'seed: expected an integer', 'steps: expected',
    'controls: expected one of lr, batch-size, speed, none, got "knobs"', 'speed: expected one of watch, fast, got "slow"', 'theme: expected one of light, dark, auto, got "neon"'];
  for (const e of expected) assert.ok(problems.some((p) => p.startsWith(e)), `no message starting "${e}" in ${JSON.stringify(problems)}`);
  assert.equal(problems.length, expected.length);
  assert.deepEqual([config.lr, config.demo, config['batch-size'], config.layers, config.speed],
    [0.03, 'spiral', 32, DEFAULTS.layers, 'fast']);
  assert.match(read({ layers: '999 relu' }).problems[0], /units: expected an integer from 1 to 256, got "999"/);
  assert.match(read({ layers: '1,2,3,4,5,6,7' }).problems[0], /at most 6 hidden layers/);
});

test('buildSpec gives the model spec for the data: classes -> cross_entropy, none -> mse', () => {
  const c = read({ layers: '8 tanh, 4 linear', optimizer: 'momentum', lr: '0.05' }).config;
  assert.deepEqual(buildSpec(c, 2, 3), {
    input: [2], loss: 'cross_entropy', seed: 1, optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9 },
    layers: [{ type: 'dense', units: 8 }, { type: 'tanh' }, { type: 'dense', units: 4 }, { type: 'dense', units: 3 }],
  });
  assert.equal(buildSpec(c, 1, 0).loss, 'mse');
  assert.deepEqual(buildSpec(c, 1, 0).layers.at(-1), { type: 'dense', units: 1 });
});

test('CSV: header optional, last column the label, a seeded quarter held out; errors name file:line:column', () => {
  const rows = Array.from({ length: 40 }, (_, i) => `${i / 10},${-i / 10},${i % 3}`);
  const a = parseCsv(`x,y,label\n${rows.join('\n')}\n`, 'd.csv', 1);
  assert.deepEqual([a.features, a.classes, a.y.length, a.testY.length], [2, 3, 30, 10]);
  assert.ok(a.y instanceof Int32Array && a.x instanceof Float32Array);
  assert.deepEqual(parseCsv(rows.join('\r\n'), 'd.csv', 1).x, a.x, 'the same without a header, same split for a seed');
  assert.notDeepEqual(parseCsv(rows.join('\n'), 'd.csv', 2).x, a.x, 'another seed, another split');
  const r = parseCsv(rows.map((l) => l.replace(/,\d$/, ',0.5')).join('\n'), 'r.csv', 1);
  assert.equal(r.classes, 0, 'fractional labels mean regression');
  assert.ok(r.y instanceof Float32Array && r.domain.length === 3, 'a domain for each feature and the target');
  assert.throws(() => parseCsv(`a,b,c\n1,2,0\n3,x,1\n`, 'd.csv', 1), /^Error: d\.csv:3:2: expected a number, got "x"$/);
  assert.throws(() => parseCsv(`1,2,0\n3,4\n`, 'd.csv', 1), /d\.csv:2: expected 3 columns/);
  assert.throws(() => parseCsv('1,2,0\n', 'd.csv', 1), /d\.csv: expected at least 8 rows/);
  assert.throws(() => parseCsv('', 'e.csv', 1), /e\.csv: expected at least 8 rows/);
});

test('demo="text": its attributes, and defaults that are web/text/gpt.js\'s recipe', async () => {
  const { GPT_SIZES, GPT_DEFAULTS } = await import('../../web/text/gpt.js');
  const { config, problems } = read({ demo: 'text', corpus: 'prose', size: 'tiny', tokenizer: 'bpe', prefix: 'The ' });
  assert.deepEqual(problems, []);
  assert.deepEqual([config.corpus, config.size, config.tokenizer, config.prefix], ['prose', 'tiny', 'bpe', 'The ']);
  assert.equal(config.lr, GPT_DEFAULTS.lr, 'the GPT recipe\'s learning rate, whatever the optimizer default');
  assert.equal(read({ demo: 'text' }).config.size, GPT_DEFAULTS.size);
  for (const size of Object.keys(GPT_SIZES)) assert.deepEqual(read({ demo: 'text', size }).problems, []);
  const bad = read({ demo: 'text', corpus: 'poems', size: 'huge', tokenizer: 'bytes' });
  assert.deepEqual(bad.problems, ['corpus: expected one of words, prose, got "poems"',
    'size: expected one of tiny, small, medium, got "huge"', 'tokenizer: expected one of characters, bpe, got "bytes"']);
  assert.deepEqual([bad.config.corpus, bad.config.size, bad.config.tokenizer], ['words', 'small', 'characters']);
});

test('panels is read as written; widget/costs.js checks its names when it loads', () => {
  assert.equal(read({ panels: ' costs ' }).config.panels, 'costs');
  assert.equal(read({}).config.panels, '', 'no panels: nothing extra loads');
  assert.deepEqual(read({ panels: 'charts' }).problems, []);
});

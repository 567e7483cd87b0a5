// bench/readme-speed.mjs: the README's Speed block is written from a results file of `make bench`, between its
// markers, and nothing else in the README changes.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { START, END, renderSpeed, replaceSpeed } from '../../bench/readme-speed.mjs';

// A results file as bench/run.mjs writes it, cut down to two rows, one note and two budgets.
const results = {
  date: '2026-11-29T10:00:00.000Z', node: 'v20.20.2', cpu: 'Test CPU', cores: 2, reps: 5, clock: 'wall',
  markdown: [
    '| case | unit | tinytrain (wasm) | ConvNetJS | tinytrain speed-up |',
    '| --- | --- | ---: | ---: | --- |',
    '| digits CNN training, batch 32, Adam | samples/s | 6,730 | 126 [1] | 53.6× vs ConvNetJS |',
    '| MLP batch-1 inference latency | µs | 5.85 | 270 | 46.15× vs ConvNetJS |',
  ].join('\n'),
  notes: ['ConvNetJS 0.3.0 has no Adam'],
  budgets: [
    { row: 'page load to first training step', measured: 450 },
    { row: 'predict, 2-16-16-3 MLP (tanh), one point, on the page', measured: 12.5 },
  ],
};

test('renderSpeed: the run, the table with its notes, the budgets', () => {
  const block = renderSpeed(results);
  assert.match(block, /^The latest `make bench` \(2026-11-29, medians of 5 repetitions, wall clock\) on a 2-core Test CPU, Node v20\.20\.2:/);
  assert.ok(block.includes(results.markdown), 'the table as run.mjs wrote it');
  assert.ok(block.includes('[1] ConvNetJS 0.3.0 has no Adam'));
  assert.ok(block.includes('| page load to first training step: <= 500 ms | 450 ms | yes |'));
  assert.ok(block.includes('| predict, 2-16-16-3 MLP (tanh), one point, on the page: <= 10 µs | 12.5 µs | NO |'));
});

test('renderSpeed: no notes and no budgets leave out their parts', () => {
  const block = renderSpeed({ ...results, notes: [], budgets: [] });
  assert.ok(!block.includes('\n[1] '), 'no notes line');
  assert.ok(!block.includes('budgets'));
});

test('replaceSpeed: only the text between the markers changes, and again on a second run', () => {
  const readme = `# x\n\n## Speed\n\nintro\n\n${START}\nold table\n${END}\n\nafter\n`;
  const once = replaceSpeed(readme, 'new table');
  assert.equal(once, `# x\n\n## Speed\n\nintro\n\n${START}\nnew table\n${END}\n\nafter\n`);
  assert.equal(replaceSpeed(once, 'newer'), `# x\n\n## Speed\n\nintro\n\n${START}\nnewer\n${END}\n\nafter\n`);
  assert.throws(() => replaceSpeed('# no markers\n', 'x'), /no ".*bench:start.*" \.\.\. ".*bench:end.*" block/);
});

test('README.md has one Speed block between the markers', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.equal(readme.split(START).length, 2, 'one start marker');
  assert.equal(readme.split(END).length, 2, 'one end marker');
  assert.ok(readme.indexOf(START) < readme.indexOf(END));
});

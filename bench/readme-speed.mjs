// The README's Speed block, written from a results file of `make bench` (bench/results/latest.json): a line on
// the machine and run, the table of medians with its notes, and the budgets table. The block sits between the
// markers below in README.md and is replaced whole; nothing else in the README changes.
// Usage: node bench/readme-speed.mjs [results.json] [README.md]   (defaults: bench/results/latest.json, README.md)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { budgetTable } from './budgets.mjs';

export const START = '<!-- bench:start: written by `make bench` (bench/readme-speed.mjs); edits here are overwritten -->';
export const END = '<!-- bench:end -->';

/** The block's markdown (without the markers) from a parsed results file. */
export function renderSpeed(results) {
  const day = (results.date ?? '').slice(0, 10) || 'an unknown date';
  const cores = results.cores ? `${results.cores}-core ` : '';
  const out = [
    `The latest \`make bench\` (${day}, medians of ${results.reps} repetitions, ${results.clock ?? 'wall'} clock) on a ` +
      `${cores}${results.cpu ?? 'unknown CPU'}, Node ${results.node ?? '?'}:`,
    '',
    results.markdown.trim(),
  ];
  if (results.notes?.length) out.push('', results.notes.map((n, i) => `[${i + 1}] ${n}`).join(' '));
  const budgets = budgetTable(Object.fromEntries((results.budgets ?? []).map((b) => [b.row, b.measured])));
  if (budgets.rows.length) {
    out.push('', 'The runtime budgets of docs/design.md, measured in headless Chromium through a `<tiny-train>` widget ' +
      'in the same run:', '', ...budgets.lines);
  }
  return out.join('\n');
}

/** README text with the block between the markers replaced by `block`; throws when the markers are missing. */
export function replaceSpeed(readme, block) {
  const a = readme.indexOf(START), b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md: no "${START}" ... "${END}" block to write the results into`);
  return `${readme.slice(0, a + START.length)}\n${block}\n${readme.slice(b)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const resultsPath = process.argv[2] ?? path.join(root, 'bench', 'results', 'latest.json');
  const readmePath = process.argv[3] ?? path.join(root, 'README.md');
  const results = JSON.parse(fs.readFileSync(resultsPath, 'utf8'));
  fs.writeFileSync(readmePath, replaceSpeed(fs.readFileSync(readmePath, 'utf8'), renderSpeed(results)));
  console.log(`${path.relative(root, readmePath)}: Speed block written from ${path.relative(root, resultsPath)}`);
}

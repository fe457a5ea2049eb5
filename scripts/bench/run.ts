/**
 * `npm run bench`: every benchmark in one run, figures and ratios side by side. Writes
 * scripts/bench/results/latest.md and latest.json, and prints the table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { enginesBench } from './engines.ts';
import { pipelineBench } from './pipeline.ts';
import { scaleBench } from './scale.ts';
import { storeBench } from './store.ts';
import { type BenchRow, markdownTable } from './table.ts';
import { tapsBench } from './taps.ts';

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;

const suites: Array<[string, () => Promise<BenchRow[]>]> = [
  ['pipeline', pipelineBench],
  ['store', storeBench],
  ['taps', tapsBench],
  ['engines', enginesBench],
  ['scale', scaleBench],
];

const only = process.argv.slice(2);
const rows: BenchRow[] = [];
for (const [name, suite] of suites) {
  if (only.length && !only.includes(name)) continue;
  process.stderr.write(`bench: ${name}…\n`);
  rows.push(...(await suite()));
}
const table = markdownTable(rows);
const when = new Date().toISOString();
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'latest.md'), `Measured ${when} on ${machine}.\n\n${table}\n`);
writeFileSync(join(dir, 'latest.json'), `${JSON.stringify({ when, machine, rows }, null, 2)}\n`);
console.log(`\nMeasured ${when} on ${machine}\n\n${table}`);

/** Printing the tables, and the JSON file under bench/results/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScenarioResult } from './scenario.js';
import type { TargetResult } from './targets.js';

const num = (v: number, digits = 0): string => (Number.isFinite(v) ? v.toFixed(digits) : '-');

export function printScenario(r: ScenarioResult): void {
  console.log(`\n(${r.id}) ${r.title}   [worst event-loop stall ${num(r.stallMs, 1)} ms, ${num(r.seconds, 1)} s]`);
  if (r.cases.length) {
    const width = Math.max(24, ...r.cases.map((c) => c.case.length));
    console.log(`  ${'case'.padEnd(width)} mode  ${'ops/s'.padStart(8)} ${'p50 µs'.padStart(8)} ${'p99 µs'.padStart(8)} ${`x ${shortBaseline(r.baseline)}`.padStart(9)} ${'stall ms'.padStart(8)}`);
    for (const c of r.cases) {
      const name = c.case.padEnd(width);
      if (c.error) console.log(`  ${name} ${c.mode.padEnd(4)}  not run: ${c.error}`);
      else console.log(`  ${name} ${c.mode.padEnd(4)}  ${num(c.opsPerSec).padStart(8)} ${num(c.p50Us).padStart(8)} ${num(c.p99Us).padStart(8)} ${num(c.ratio, 2).padStart(9)} ${num(c.stallMs, 1).padStart(8)}`);
    }
  }
  for (const f of r.figures) console.log(`  ${f.name}: ${formatValue(f.value, f.unit)}${f.detail ? `  (${f.detail})` : ''}`);
  for (const note of r.notes) console.log(`  note: ${note}`);
}

const shortBaseline = (name?: string): string => (name?.startsWith('floor') ? 'floor' : name?.startsWith('plain') ? 'plain' : 'base');

function formatValue(value: number, unit: string): string {
  if (unit === 'ms') return `${num(value, value < 10 ? 2 : 0)} ms`;
  if (unit === 'bytes') return value >= 1024 * 1024 ? `${num(value / 1024 / 1024, 1)} MiB` : `${num(value / 1024, 2)} KiB`;
  if (unit === 'ratio') return `${num(value, 2)}x`;
  if (unit === '%') return `${num(value, 1)} %`;
  return `${num(value, Number.isInteger(value) ? 0 : 2)} ${unit}`.trim();
}

export function printTargets(targets: TargetResult[]): void {
  console.log('\nTargets (issue 10, item 2):');
  const width = Math.max(...targets.map((t) => t.name.length));
  for (const t of targets) console.log(`  ${t.status.padEnd(4)} ${t.name.padEnd(width)}  ${t.measured}`);
}

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** bench/results/<node-version>-<timestamp>.json; returns the path. */
export function writeResults(data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(RESULTS_DIR, `${process.version}-${stamp}.json`);
  writeFileSync(path, `${JSON.stringify(data, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  return path;
}

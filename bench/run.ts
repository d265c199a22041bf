/**
 * `npm run bench` (issue 10): this library against the floor (axios with a no-op adapter) and
 * axios-cache-interceptor, on every backend that can run here, in one process with alternating
 * rounds. Scenarios (a)-(h) print tables, the targets print PASS/FAIL, and everything is written to
 * bench/results/<node-version>-<timestamp>.json. Knobs: BENCH_QUICK=1, BENCH_ONLY=a,c (lib/config.ts).
 * Run with --expose-gc (the npm script does) so the memory scenarios measure retained memory only.
 */
import '../test/support/hash-secret-home.js'; // hash secrets of persistent caches go to a temp folder, not ~/.cache
import os from 'node:os';
import axios from 'axios';
import { ONLY, QUICK, SIZES } from './lib/config.js';
import { startBackends } from './lib/backends.js';
import { startOrigin } from './lib/origin.js';
import { printScenario, printTargets, writeResults } from './lib/report.js';
import type { Scenario, ScenarioResult } from './lib/scenario.js';
import { stalls } from './lib/stall.js';
import { evaluateTargets } from './lib/targets.js';
import { SCENARIOS } from './scenarios/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const started = performance.now();
const loadAtStart = os.loadavg()[0];
console.log(`node ${process.version}, axios ${axios.VERSION}, ${os.cpus().length} CPUs (load ${loadAtStart.toFixed(2)}), ${QUICK ? 'QUICK ' : ''}${SIZES.rounds} rounds x ${SIZES.roundMs} ms per case, scenarios ${ONLY.join(',')}`);
console.log('ratios are throughput over the scenario baseline (higher is faster); seq = 1 request in flight, c16 = 16');
if (typeof globalThis.gc !== 'function') console.log('note: no --expose-gc: memory figures (g) include uncollected garbage');

const origin = await startOrigin();
const backends = await startBackends();
console.log(`backends: ${backends.all.map((b) => b.name).join(', ')}${backends.skipped.length ? `; ${backends.skipped.join('; ')}` : ''}`);

const results: ScenarioResult[] = [];
try {
  for (const scenario of SCENARIOS.filter((s: Scenario) => (ONLY as string[]).includes(s.id))) {
    const t0 = performance.now();
    stalls.start();
    const out = await scenario.run({ origin, backends });
    const result: ScenarioResult = { id: scenario.id, title: scenario.title, ...out, stallMs: stalls.stop(), seconds: (performance.now() - t0) / 1000 };
    results.push(result);
    printScenario(result);
  }
} finally {
  await backends.stop();
  await origin.close();
}

const targets = evaluateTargets(results);
printTargets(targets);
const seconds = (performance.now() - started) / 1000;
const file = writeResults({
  node: process.version,
  axios: axios.VERSION,
  platform: `${os.platform()} ${os.arch()}, ${os.cpus().length} CPUs`,
  // Other work on the machine moves absolute figures a lot; ratios from alternating rounds less so.
  loadAverage: { start: loadAtStart, end: os.loadavg()[0] },
  quick: QUICK,
  sizes: SIZES,
  startedAt: new Date(Date.now() - seconds * 1000).toISOString(),
  seconds,
  skipped: backends.skipped,
  scenarios: results,
  targets,
});
console.log(`\n${seconds.toFixed(0)} s; results written to ${file}`);

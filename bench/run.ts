/**
 * `npm run bench [-- suite…] [-- --quick]` (suites: simulator, etl, report, alert, detect, and cluster
 * only when asked for: it needs Debian's ZooKeeper and a chDB of its own): every figure is
 * measured in this process, and speed
 * is reported as a ratio against a baseline measured in the same run, so machines compare.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { benchWarehouse, peakRssMiB, type Measurement } from './harness.js';
import { benchAlert } from './alert.bench.js';
import { benchCluster } from './cluster.bench.js';
import { benchDetect } from './detect.bench.js';
import { benchEtl } from './etl.bench.js';
import { benchReport } from './report.bench.js';
import { benchSimulator } from './simulator.bench.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const wanted = args.filter((a) => !a.startsWith('--'));
const include = (suite: string) => wanted.length === 0 || wanted.includes(suite);
const volumes = quick ? [1_000_000] : [1_000_000, 10_000_000];

const measurements: Measurement[] = [];
const needsWarehouse = ['simulator', 'etl', 'report', 'alert'].some(include);
if (wanted.includes('cluster')) {
  // chDB opens one data directory per process: the cluster suite's (with Keeper) runs alone.
  if (needsWarehouse) throw new Error('run the cluster suite on its own: npm run bench -- cluster');
  measurements.push(...(await benchCluster()));
}
// Detection needs no warehouse.
if (include('detect')) measurements.push(...(await benchDetect()));
const { warehouse, dispose } = needsWarehouse ? benchWarehouse() : { warehouse: undefined, dispose: async () => {} };
try {
  if (warehouse && include('simulator')) {
    for (const volume of volumes) measurements.push(...(await benchSimulator(warehouse, volume)));
  }
  for (const volume of volumes) {
    if (!warehouse) break;
    if (include('etl')) measurements.push(...(await benchEtl(warehouse, volume)));
    if (include('report')) measurements.push(...(await benchReport(warehouse, volume)));
    if (include('alert')) measurements.push(...(await benchAlert(warehouse, volume)));
  }
} finally {
  await dispose();
}
measurements.push({ suite: 'process', name: 'peak RSS', value: peakRssMiB(), unit: 'MiB' });

// Seconds under one get a third decimal: the alert runs take tens of milliseconds.
const figure = (m: Measurement) =>
  m.value >= 1000
    ? Math.round(m.value).toLocaleString('en-US')
    : m.value.toFixed(m.unit === 's' && m.value < 1 ? 3 : 2);
const format = (m: Measurement) =>
  `${m.suite.padEnd(28)} ${m.name.padEnd(40)} ${figure(m)} ${m.unit}${m.note ? `  (${m.note})` : ''}`;
console.log(measurements.map(format).join('\n'));
mkdirSync('bench-results', { recursive: true });
writeFileSync(
  `bench-results/bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  JSON.stringify(measurements, null, 2),
);

import { createMemoryCoordination } from '@a2a-stores/core';
import { measureClusterLatency } from './cluster-latency.js';

// `pnpm --filter @a2a-stores/bench bench:cluster`: cross-worker latency on core's memory hub.
// Transport packages call measureClusterLatency with their own backend factory.
const hub = createMemoryCoordination();
const result = await measureClusterLatency('memory', () => hub.connect());
const row = (name: string, p: { samples: number; p50Ms: number; p99Ms: number }) =>
  `| ${name} | ${p.samples} | ${p.p50Ms.toFixed(3)} | ${p.p99Ms.toFixed(3)} |`;
process.stdout.write(
  [
    `Cluster latency, transport ${result.transport} (ms)`,
    '| path | samples | p50 | p99 |',
    '|---|---|---|---|',
    row('event, executor on A -> subscriber on C', result.crossWorkerEvent),
    row('event, executor on A -> subscriber on A', result.localEvent),
    row('cancel on B -> executor on A stops', result.crossWorkerCancel),
    row('cancel on A -> executor on A stops', result.localCancel),
    '',
  ].join('\n'),
);

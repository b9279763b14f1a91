import { parseArgs } from 'node:util';
import { integerOption, nameListOption } from '@a2a-stores/test-backends';
import {
  CLUSTER_BACKENDS,
  type ClusterLoadResult,
  describeClusterLoad,
  runClusterLoad,
} from './cluster-load.js';

const USAGE = `pnpm --filter @a2a-stores/load load:cluster [-- options]
  --duration <s>     seconds of traffic per backend (default 180)
  --clients <n>      concurrent clients, each with a client per worker (default 32)
  --workers <n>      agent processes on the store (default 3)
  --step-ms <n>      agent pause per work step (default 20)
  --lease-ms <n>     the workers' A2A_AGENT_LEASE_MS (default 15000, the agent's)
  --sweep-ms <n>     the workers' A2A_AGENT_SWEEP_MS (default 5000, the agent's)
  --backends <list>  comma-separated, from: ${CLUSTER_BACKENDS.join(', ')} (default all)`;

const progress = (line: string) => process.stderr.write(`[load:cluster] ${line}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      duration: { type: 'string' },
      clients: { type: 'string' },
      workers: { type: 'string' },
      'step-ms': { type: 'string' },
      'lease-ms': { type: 'string' },
      'sweep-ms': { type: 'string' },
      backends: { type: 'string' },
    },
  });
  const options = {
    durationSec: integerOption('duration', values.duration, 180, USAGE, { min: 5, max: 3600 }),
    clients: integerOption('clients', values.clients, 32, USAGE, { min: 1, max: 256 }),
    workers: integerOption('workers', values.workers, 3, USAGE, { min: 2, max: 16 }),
    stepMs: integerOption('step-ms', values['step-ms'], 20, USAGE, { min: 0, max: 1000 }),
    leaseMs: integerOption('lease-ms', values['lease-ms'], 15_000, USAGE, {
      min: 300,
      max: 600_000,
    }),
    sweepMs: integerOption('sweep-ms', values['sweep-ms'], 5000, USAGE, { min: 50, max: 600_000 }),
  };
  const results: ClusterLoadResult[] = [];
  for (const backend of nameListOption(values.backends, CLUSTER_BACKENDS)) {
    results.push(await runClusterLoad(backend, options, progress));
    process.stdout.write(`${describeClusterLoad(results.at(-1) as ClusterLoadResult)}\n`);
  }
  if (!results.every((result) => result.passed)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[load:cluster] failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});

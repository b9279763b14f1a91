import { measureClusterLatency, type PathLatency } from './cluster-latency.js';
import { measureLeaseTraffic } from './lease-traffic.js';
import { parseClusterBenchOptions } from './options.js';
import { openTransport } from './transports.js';

// `pnpm --filter @a2a-stores/bench bench:cluster [-- --transports redis,postgres]`: cross-worker
// event and cancel latency per coordination transport (memory hub = in-process reference), next
// to the same paths on one worker, and the backend calls one task's lease costs.
const options = parseClusterBenchOptions(process.argv.slice(2));
const ms = (p: PathLatency) => `${p.p50Ms.toFixed(2)} / ${p.p99Ms.toFixed(2)}`;
const latency = [
  `Cluster latency, p50 / p99 ms (${options.tasks} tasks x ${options.eventsPerTask} events per path)`,
  '| transport | event A -> C | event, one worker | cancel B -> A | cancel, one worker |',
  '|---|---|---|---|---|',
];
const traffic = [
  `Backend calls of one task: ${options.trafficEvents} events over ${options.trafficMs} ms, lease ttl ${options.trafficLeaseTtlMs} ms (renew every ${(options.trafficLeaseTtlMs / 3).toFixed(0)} ms)`,
  '| transport | acquire | renew | release | read | publish | subscribe |',
  '|---|---|---|---|---|---|---|',
];
for (const name of options.transports) {
  const transport = await openTransport(name);
  try {
    const r = await measureClusterLatency(
      name,
      () => transport.connect(),
      options.tasks,
      options.eventsPerTask,
    );
    latency.push(
      `| ${name} | ${ms(r.crossWorkerEvent)} | ${ms(r.localEvent)} | ${ms(r.crossWorkerCancel)} | ${ms(r.localCancel)} |`,
    );
    const t = await measureLeaseTraffic(
      () => transport.connect(),
      options.trafficEvents,
      options.trafficMs,
      options.trafficLeaseTtlMs,
    );
    const c = t.perTask;
    traffic.push(
      `| ${name} | ${c.acquireLease} | ${c.renewLease} | ${c.releaseLease} | ${c.readLease} | ${c.publish} | ${c.subscribe} |`,
    );
  } finally {
    await transport.cleanup();
  }
  process.stderr.write(`bench:cluster: ${name} done\n`);
}
process.stdout.write(`${[...latency, '', ...traffic, ''].join('\n')}\n`);

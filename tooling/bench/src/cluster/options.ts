import { parseArgs } from 'node:util';
import { integerOption, nameListOption } from '@a2a-stores/test-backends';
import { TRANSPORTS, type TransportName } from './transports.js';

/** One `bench:cluster` run's settings, from the command line. */
export interface ClusterBenchOptions {
  readonly transports: readonly TransportName[];
  /** Tasks per path (cross-worker and one-process each run this many). */
  readonly tasks: number;
  readonly eventsPerTask: number;
  /** Events of the lease-traffic task. */
  readonly trafficEvents: number;
  /** How long the lease-traffic task runs, in ms. */
  readonly trafficMs: number;
  /** Lease ttl of the lease-traffic task; it renews every ttl / 3 (core's default ratio). */
  readonly trafficLeaseTtlMs: number;
}

const USAGE = `pnpm --filter @a2a-stores/bench bench:cluster [-- options]
  --transports <list>   comma-separated, from: ${TRANSPORTS.join(', ')} (default all)
  --tasks <n>           tasks per path and transport (default 30)
  --events <n>          events per task (default 20)
  --traffic-events <n>  events of the lease-traffic task (default 20)
  --traffic-ms <n>      duration of the lease-traffic task in ms (default 3000)
  --traffic-ttl-ms <n>  lease ttl of the lease-traffic task in ms (default 1500)`;

/** Parses the command line; throws with the usage text on anything it does not understand. */
export function parseClusterBenchOptions(argv: readonly string[]): ClusterBenchOptions {
  // pnpm forwards the `--` separator itself; it carries no option.
  const args = argv.filter((arg) => arg !== '--');
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        transports: { type: 'string' },
        tasks: { type: 'string' },
        events: { type: 'string' },
        'traffic-events': { type: 'string' },
        'traffic-ms': { type: 'string' },
        'traffic-ttl-ms': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | undefined> });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${USAGE}`);
  }
  return {
    transports: nameListOption(values.transports, TRANSPORTS, 'transport'),
    tasks: integerOption('tasks', values.tasks, 30, USAGE),
    eventsPerTask: integerOption('events', values.events, 20, USAGE),
    trafficEvents: integerOption('traffic-events', values['traffic-events'], 20, USAGE),
    trafficMs: integerOption('traffic-ms', values['traffic-ms'], 3000, USAGE),
    trafficLeaseTtlMs: integerOption('traffic-ttl-ms', values['traffic-ttl-ms'], 1500, USAGE, {
      min: 3,
    }),
  };
}

import { parseArgs } from 'node:util';
import { integerOption, nameListOption } from '@a2a-stores/test-backends';

/** Backends the load run knows how to give the agent. */
export const BACKENDS = ['sqlite', 'postgres'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** One load run's settings, from the command line. */
export interface LoadOptions {
  readonly quick: boolean;
  /** Seconds of traffic per backend, warm-up included. */
  readonly durationSec: number;
  /** Seconds at the start whose latencies are not reported and after which RSS growth is measured. */
  readonly warmupSec: number;
  /** Concurrent SDK clients, each running one operation at a time. */
  readonly clients: number;
  /** Hard cap on HTTP calls per backend: the run stops at the cap or the deadline, whichever first. */
  readonly maxRequests: number;
  /** The agent's `A2A_AGENT_STEP_MS`: pause after each of a task's 3 work steps. */
  readonly stepMs: number;
  /** Allowed RSS growth of the agent from the end of warm-up to the end of the run, in MiB. */
  readonly rssBoundMiB: number;
  readonly backends: readonly BackendName[];
  /** Folder the markdown and JSON reports are written to. */
  readonly outDir: string;
}

const USAGE = `pnpm load [-- options]
  --quick              30 s per backend (10 s warm-up), 50 000-request cap
  --duration <s>       seconds of traffic per backend, warm-up included (default 180)
  --warmup <s>         seconds excluded from latencies; RSS growth counts from here (default 30)
  --clients <n>        concurrent SDK clients (default 32)
  --max-requests <n>   hard cap on calls per backend (default 300000)
  --step-ms <n>        agent pause per work step, A2A_AGENT_STEP_MS (default 20)
  --rss-bound <MiB>    allowed agent RSS growth after warm-up (default 64)
  --backends <list>    comma-separated, from: ${BACKENDS.join(', ')} (default all)
  --out <dir>          report folder (default tooling/load/results)`;

// Far beyond any sensible run, so a typo cannot start an unbounded one.
const MAX_DURATION_SEC = 3600;
const MAX_CLIENTS = 1024;

function boundedInt(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  return integerOption(name, value, fallback, USAGE, { min, max });
}

/** Parses the command line; throws with the usage text on anything it does not understand. */
export function parseLoadOptions(argv: readonly string[], defaultOutDir: string): LoadOptions {
  // pnpm forwards the `--` separator itself; it carries no option.
  const args = argv.filter((arg) => arg !== '--');
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      clients: { type: 'string' },
      'max-requests': { type: 'string' },
      'step-ms': { type: 'string' },
      'rss-bound': { type: 'string' },
      backends: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new Error(USAGE);
  const quick = values.quick ?? false;
  const durationSec = boundedInt(
    'duration',
    values.duration,
    quick ? 30 : 180,
    5,
    MAX_DURATION_SEC,
  );
  const warmupSec = boundedInt('warmup', values.warmup, quick ? 10 : 30, 1, MAX_DURATION_SEC);
  if (warmupSec >= durationSec) {
    throw new Error(`--warmup (${warmupSec} s) must be shorter than --duration (${durationSec} s)`);
  }
  return {
    quick,
    durationSec,
    warmupSec,
    clients: boundedInt('clients', values.clients, 32, 1, MAX_CLIENTS),
    maxRequests: boundedInt(
      'max-requests',
      values['max-requests'],
      quick ? 50_000 : 300_000,
      1,
      10_000_000,
    ),
    stepMs: boundedInt('step-ms', values['step-ms'], 20, 0, 1000),
    rssBoundMiB: boundedInt('rss-bound', values['rss-bound'], 64, 1, 16_384),
    backends: nameListOption(values.backends, BACKENDS),
    outDir: values.out ?? defaultOutDir,
  };
}

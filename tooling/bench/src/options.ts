import { parseArgs } from 'node:util';

/** Backends the harness knows how to set up. */
export const BACKENDS = ['sqlite', 'postgres'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** One benchmark run's settings, from the command line. */
export interface BenchOptions {
  readonly quick: boolean;
  /** Tasks seeded in the scope the list workloads read. */
  readonly scopeSize: number;
  /** 1-based page the deep-page workload reads (page size {@link PAGE_SIZE}). */
  readonly deepPage: number;
  /** Timed operations per workload per run. */
  readonly ops: number;
  /** Untimed operations before each workload. */
  readonly warmup: number;
  /** Repetitions; the report keeps the median of each statistic. */
  readonly runs: number;
  readonly backends: readonly BackendName[];
  /** Folder the markdown and JSON reports are written to. */
  readonly outDir: string;
}

/** Page size of every list workload (the SDK default). */
export const PAGE_SIZE = 50;

const USAGE = `pnpm bench [-- options]
  --quick              short run: 2000-task scope, page 20, 100 ops (under 2 minutes)
  --scope-size <n>     tasks in the listed scope (default 10000)
  --deep-page <n>      page read by the deep-page workload (default 100)
  --ops <n>            timed operations per workload per run (default 500)
  --warmup <n>         untimed operations before each workload (default 50)
  --runs <n>           runs; the median of each statistic is reported (default 3)
  --backends <list>    comma-separated, from: ${BACKENDS.join(', ')} (default all)
  --out <dir>          report folder (default <repo>/bench-results)`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new Error(`--${name} must be a positive integer, got "${value}"\n\n${USAGE}`);
  }
  return parsed;
}

function backendList(value: string | undefined): BackendName[] {
  if (value === undefined) return [...BACKENDS];
  const names = value.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(BACKENDS as readonly string[]).includes(name)) {
      throw new Error(`unknown backend "${name}"; expected ${BACKENDS.join(', ')}`);
    }
  }
  return names as BackendName[];
}

/** Parses the command line; throws with the usage text on anything it does not understand. */
export function parseBenchOptions(argv: readonly string[], defaultOutDir: string): BenchOptions {
  // pnpm forwards the `--` separator itself; it carries no option.
  const args = argv.filter((arg) => arg !== '--');
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean', default: false },
      'scope-size': { type: 'string' },
      'deep-page': { type: 'string' },
      ops: { type: 'string' },
      warmup: { type: 'string' },
      runs: { type: 'string' },
      backends: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new Error(USAGE);
  const quick = values.quick ?? false;
  const options: BenchOptions = {
    quick,
    scopeSize: positiveInt('scope-size', values['scope-size'], quick ? 2000 : 10_000),
    deepPage: positiveInt('deep-page', values['deep-page'], quick ? 20 : 100),
    ops: positiveInt('ops', values.ops, quick ? 100 : 500),
    warmup: positiveInt('warmup', values.warmup, quick ? 10 : 50),
    runs: positiveInt('runs', values.runs, 3),
    backends: backendList(values.backends),
    outDir: values.out ?? defaultOutDir,
  };
  if (options.deepPage * PAGE_SIZE > options.scopeSize) {
    throw new Error(
      `--deep-page ${options.deepPage} needs at least ${options.deepPage * PAGE_SIZE} tasks; --scope-size is ${options.scopeSize}`,
    );
  }
  return options;
}

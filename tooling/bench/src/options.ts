import { parseArgs } from 'node:util';
import { integerOption, nameListOption } from '@a2a-stores/test-backends';

/** Backends the harness knows how to set up. */
export const BACKENDS = ['sqlite', 'postgres', 'mysql', 'redis'] as const;
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
  /** Concurrent clients of the mixed workload. */
  readonly clients: number;
  /** Operations of one mixed run, spread over the clients. */
  readonly mixedOps: number;
  /** Only the mixed runs (per-client scopes and one scope): no seeding, no workloads. */
  readonly mixedOnly: boolean;
  /** Run the scaling measurements (1k/10k/100k tasks, 100k over 1k scopes) instead of the workloads. */
  readonly scaling: boolean;
  /** Task counts of the scaling run's single scope, ascending. */
  readonly scalingSizes: readonly number[];
  /** Scopes of the scaling run's spread measurement (the largest size is spread over them). */
  readonly scalingScopes: number;
  /** Run only the streams (no seeding, no other workload). */
  readonly streamOnly: boolean;
  /** Artifact chunks of the stream workload, one load + save each. */
  readonly streamChunks: number;
  /** Characters of each chunk, and of each message of the history stream. */
  readonly streamChunkSize: number;
  /** Messages of the history stream, one load + save each. */
  readonly streamMessages: number;
  /** A report (JSON) this run's point operations are compared with, when given. */
  readonly baseline?: string;
  /** Folder the markdown and JSON reports are written to. */
  readonly outDir: string;
}

/** Page size of every list workload (the SDK default). */
export const PAGE_SIZE = 50;

const USAGE = `pnpm bench [-- options]
  --quick              short run: 2000-task scope, page 20, 100 ops, 640 mixed ops
  --scaling            only the scaling run: first page, deep page, load and save at each
                       --scaling-sizes in one scope, then the largest over --scaling-scopes
  --scope-size <n>     tasks in the listed scope (default 10000)
  --deep-page <n>      page read by the deep-page workload (default 100)
  --ops <n>            timed operations per workload per run (default 500; quick, scaling 100)
  --warmup <n>         untimed operations before each workload (default 50)
  --runs <n>           runs; the median of each statistic is reported (default 3)
  --clients <n>        concurrent clients of the mixed workload (default 32)
  --mixed-ops <n>      operations of one mixed run (default 3200; quick 640)
  --mixed-only         only the mixed runs (per-client scopes, then one scope), no workloads
  --scaling-sizes <l>  comma-separated task counts (default 1000,10000,100000)
  --scaling-scopes <n> scopes the largest size is spread over (default 1000)
  --stream             only the stream workload (no seeding, no other workload)
  --stream-chunks <n>  artifact chunks of the stream workload (default 1000; quick 200)
  --stream-chunk-size <n>  characters per chunk and per history message (default 1000)
  --stream-messages <n>    messages of the history stream (default 100)
  --backends <list>    comma-separated, from: ${BACKENDS.join(', ')} (default all)
  --baseline <json>    a previous report: flags point operations (save new, load hit, update)
                       whose cost over the floor grew by more than 5% since
  --out <dir>          report folder (default <repo>/bench-results)`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  return integerOption(name, value, fallback, USAGE);
}

function sizeList(value: string | undefined): number[] {
  if (value === undefined) return [1000, 10_000, 100_000];
  const sizes = value.split(',').map((size) => positiveInt('scaling-sizes', size.trim(), 0));
  if (sizes.some((size, i) => i > 0 && size <= sizes[i - 1]!)) {
    throw new Error(`--scaling-sizes must be ascending, got "${value}"`);
  }
  return sizes;
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
      clients: { type: 'string' },
      'mixed-ops': { type: 'string' },
      'mixed-only': { type: 'boolean', default: false },
      scaling: { type: 'boolean', default: false },
      'scaling-sizes': { type: 'string' },
      'scaling-scopes': { type: 'string' },
      stream: { type: 'boolean', default: false },
      'stream-chunks': { type: 'string' },
      'stream-chunk-size': { type: 'string' },
      'stream-messages': { type: 'string' },
      baseline: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new Error(USAGE);
  const quick = values.quick ?? false;
  const scaling = values.scaling ?? false;
  // A scaling run measures three calls at four sizes: quick-sized op counts keep it in minutes.
  const short = quick || scaling;
  const options: BenchOptions = {
    quick,
    scopeSize: positiveInt('scope-size', values['scope-size'], quick ? 2000 : 10_000),
    deepPage: positiveInt('deep-page', values['deep-page'], quick ? 20 : 100),
    ops: positiveInt('ops', values.ops, short ? 100 : 500),
    warmup: positiveInt('warmup', values.warmup, short ? 10 : 50),
    runs: positiveInt('runs', values.runs, 3),
    backends: nameListOption(values.backends, BACKENDS),
    clients: positiveInt('clients', values.clients, 32),
    mixedOps: positiveInt('mixed-ops', values['mixed-ops'], quick ? 640 : 3200),
    mixedOnly: values['mixed-only'] ?? false,
    scaling,
    scalingSizes: sizeList(values['scaling-sizes']),
    scalingScopes: positiveInt('scaling-scopes', values['scaling-scopes'], 1000),
    streamOnly: values.stream ?? false,
    streamChunks: positiveInt('stream-chunks', values['stream-chunks'], quick ? 200 : 1000),
    streamChunkSize: positiveInt('stream-chunk-size', values['stream-chunk-size'], 1000),
    streamMessages: positiveInt('stream-messages', values['stream-messages'], 100),
    ...(values.baseline ? { baseline: values.baseline } : {}),
    outDir: values.out ?? defaultOutDir,
  };
  if (options.scaling && options.streamOnly) {
    throw new Error('--scaling and --stream are separate runs: give one of them');
  }
  if (options.deepPage * PAGE_SIZE > options.scopeSize) {
    throw new Error(
      `--deep-page ${options.deepPage} needs at least ${options.deepPage * PAGE_SIZE} tasks; --scope-size is ${options.scopeSize}`,
    );
  }
  const largest = options.scalingSizes.at(-1)!;
  if (largest % options.scalingScopes !== 0 || largest / options.scalingScopes < PAGE_SIZE) {
    throw new Error(
      `--scaling-scopes ${options.scalingScopes} must divide ${largest} into scopes of at least ${PAGE_SIZE} tasks`,
    );
  }
  return options;
}

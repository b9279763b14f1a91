import type { Task } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import { contextOf, randomScope } from './fixtures.js';
import { idsInListOrder, type ListKey, listKeyOf, listRequest } from './list-request.js';
import { type BenchOptions, PAGE_SIZE } from './options.js';
import type { ScalingPoint, ScalingResult } from './report.js';
import { contextsFor, saveInBatches, seededTask, tokenOfPage } from './seed.js';
import { type LatencyStats, medianOfRuns, summarize } from './stats.js';
import type { Subject } from './subject.js';
import { canonicalTask, checkLoaded, checkPage } from './verify.js';

/** Concurrent saves while seeding a subject without {@link Subject.seedBatch}. */
const SEED_CONCURRENCY = 16;
/** Tasks generated and saved per step, so 100k tasks are never all in memory at once. */
const SEED_CHUNK = 2000;
/** One task in this many is kept (with its saved form) as a target of the timed loads. */
const LOAD_SAMPLE_EVERY = 97;

/**
 * One scope being filled: its keys in save order, the tasks kept to check loads against, and
 * the same tasks to save again (a save that rewrites a stored task leaves every answer as it was).
 */
interface GrowingScope {
  readonly context: ServerCallContext;
  readonly contexts: readonly string[];
  readonly keys: ListKey[];
  readonly sample: Map<string, string>;
  readonly resaved: Task[];
}

function newScope(contextsOfSize: number): GrowingScope {
  return {
    context: contextOf(randomScope()),
    contexts: contextsFor(contextsOfSize),
    keys: [],
    sample: new Map(),
    resaved: [],
  };
}

/** Saves tasks into `scope` until it holds `size`. */
async function growTo(subject: Subject, scope: GrowingScope, size: number): Promise<void> {
  while (scope.keys.length < size) {
    const from = scope.keys.length;
    const count = Math.min(SEED_CHUNK, size - from);
    const tasks = Array.from({ length: count }, (_, i) => seededTask(from + i, scope.contexts));
    if (subject.seedBatch) await subject.seedBatch(tasks, scope.context);
    else await saveInBatches(subject.taskStore, scope.context, tasks, SEED_CONCURRENCY);
    for (const [i, task] of tasks.entries()) {
      scope.keys.push(listKeyOf(task));
      if ((from + i) % LOAD_SAMPLE_EVERY === 0) {
        scope.sample.set(task.id, canonicalTask(task));
        scope.resaved.push(task);
      }
    }
  }
}

async function timedNs(call: () => Promise<void>): Promise<bigint> {
  const start = process.hrtime.bigint();
  await call();
  return process.hrtime.bigint() - start;
}

/**
 * `runs` x (`warmup` + `ops`) calls of each of `calls`, alternating between them (the one that
 * goes first moves on each time, so calls judged against each other see the same host); for
 * each call, the median of the runs' statistics.
 */
async function measureAlternating(
  options: BenchOptions,
  calls: readonly ((i: number) => Promise<void>)[],
): Promise<LatencyStats[]> {
  const runs: LatencyStats[][] = calls.map(() => []);
  for (let run = 0; run < options.runs; run++) {
    const samples: bigint[][] = calls.map(() => []);
    for (let i = 0; i < options.warmup + options.ops; i++) {
      for (let j = 0; j < calls.length; j++) {
        const c = (i + j) % calls.length;
        const ns = await timedNs(() => calls[c]!(i));
        if (i >= options.warmup) samples[c]!.push(ns);
      }
    }
    for (const [c, taken] of samples.entries()) runs[c]!.push(summarize(taken));
  }
  return runs.map((taken) => medianOfRuns(taken));
}

/** First page, a deep page and loads of `scope`, each answer checked. */
async function measurePoint(
  subject: Subject,
  scope: GrowingScope,
  options: BenchOptions,
  shape: { label: string; tasks: number; scopes: number; seedSeconds: number },
): Promise<ScalingPoint> {
  const expectedIds = idsInListOrder(scope.keys);
  const deepPageNumber = Math.max(2, Math.min(100, Math.floor(expectedIds.length / PAGE_SIZE)));
  const deepToken = await tokenOfPage(subject, scope.context, expectedIds, deepPageNumber);
  const firstIds = expectedIds.slice(0, PAGE_SIZE);
  const deepFrom = (deepPageNumber - 1) * PAGE_SIZE;
  const deepIds = expectedIds.slice(deepFrom, deepFrom + PAGE_SIZE);
  const store = subject.taskStore;
  // The deep page is judged against the first page: they alternate, so both see the same host.
  const [firstPage, deepPage] = (await measureAlternating(options, [
    async () => {
      const page = await store.list(listRequest(), scope.context);
      checkPage(subject.name, `${shape.label}: first page`, page.tasks, firstIds);
    },
    async () => {
      const page = await store.list(listRequest(deepToken), scope.context);
      checkPage(subject.name, `${shape.label}: page ${deepPageNumber}`, page.tasks, deepIds);
    },
  ])) as [LatencyStats, LatencyStats];
  const sampled = [...scope.sample.entries()];
  // Loads and saves (of stored tasks, unchanged) alternate: neither may grow with the table.
  const [load, save] = (await measureAlternating(options, [
    async (i) => {
      const [id, expected] = sampled[i % sampled.length]!;
      checkLoaded(subject.name, id, await store.load(id, scope.context), expected);
    },
    async (i) => {
      await store.save(scope.resaved[i % scope.resaved.length]!, scope.context);
    },
  ])) as [LatencyStats, LatencyStats];
  return {
    ...shape,
    scopeTasks: expectedIds.length,
    firstPage,
    deepPage,
    deepPageNumber,
    load,
    save,
  };
}

const label = (tasks: number) => (tasks >= 1000 ? `${tasks / 1000}k` : String(tasks));

/**
 * The scaling run of one subject: one scope grown through each size in turn (measured at each),
 * then the largest size again spread evenly over `scalingScopes` fresh scopes (measured in the
 * last one filled). Seeding goes through the subject's own `save`: in one transaction per chunk
 * where the subject offers {@link Subject.seedBatch}, else {@link SEED_CONCURRENCY} at a time.
 */
export async function runScaling(
  backend: string,
  settings: string,
  subject: Subject,
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<ScalingResult> {
  const points: ScalingPoint[] = [];
  const single = newScope(options.scalingSizes.at(-1)!);
  for (const size of options.scalingSizes) {
    const start = performance.now();
    progress(`${backend}: growing one scope of ${subject.name} to ${size} tasks`);
    await growTo(subject, single, size);
    const seedSeconds = (performance.now() - start) / 1000;
    const shape = { label: `${label(size)} in one scope`, tasks: size, scopes: 1, seedSeconds };
    points.push(await measurePoint(subject, single, options, shape));
  }
  const largest = options.scalingSizes.at(-1)!;
  const perScope = largest / options.scalingScopes;
  progress(`${backend}: seeding ${largest} tasks over ${options.scalingScopes} scopes`);
  const start = performance.now();
  let last: GrowingScope | undefined;
  for (let s = 0; s < options.scalingScopes; s++) {
    last = newScope(perScope);
    await growTo(subject, last, perScope);
  }
  points.push(
    await measurePoint(subject, last!, options, {
      label: `${label(largest)} over ${label(options.scalingScopes)} scopes`,
      tasks: largest * 2,
      scopes: options.scalingScopes + 1,
      seedSeconds: (performance.now() - start) / 1000,
    }),
  );
  return { backend, subject: subject.name, role: subject.role, settings, points };
}

import type { Task } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import { type CpuPerOp, cpuMark, cpuPerOpSince } from './cpu-per-op.js';
import { contextOf, makeTask, randomScope, updatedTask } from './fixtures.js';
import { idsInListOrder, type ListKey, listKeyOf, listRequest } from './list-request.js';
import { SharedScopeLedger } from './mixed-one-scope.js';
import type { BenchOptions } from './options.js';
import { PAGE_SIZE } from './options.js';
import { saveInBatches } from './seed.js';
import { median, quantile } from './stats.js';
import type { Subject } from './subject.js';
import { BenchCheckError, canonicalTask, checkLoaded, checkPage } from './verify.js';

/** One operation of the mixed workload. */
type MixedOp = 'save' | 'update' | 'load' | 'list';

/**
 * The cycle every client walks: 25% saves of new tasks, 25% updates, 35% loads, 15% first-page
 * lists — an agent server's traffic: tasks created and moved along, polled, listed now and then.
 */
// biome-ignore format: the cycle reads best as four rows of five
export const MIXED_CYCLE: readonly MixedOp[] = [
  'save', 'load', 'update', 'load', 'list',
  'save', 'load', 'update', 'load', 'save',
  'update', 'load', 'list', 'save', 'load',
  'update', 'load', 'save', 'update', 'list',
];

/** Tasks each client's scope holds before the timed operations start (untimed). */
export const MIXED_PRESEED = 20;

/**
 * Where the clients of a mixed run write: each in a scope of its own, or all in one scope (one
 * busy owner, e.g. an orchestrator with one service identity), where every write of every client
 * lands on the same scope's rows and counters.
 */
export type MixedScoping = 'per-client' | 'one-scope';

/** One mixed run: throughput of all clients together, and the latency of every operation. */
export interface MixedStats {
  readonly scoping: MixedScoping;
  readonly clients: number;
  readonly ops: number;
  readonly seconds: number;
  readonly opsPerSec: number;
  /** µs, over every operation of every kind. */
  readonly p50: number;
  readonly p99: number;
  /** µs, over the loads only: what a reader waits behind concurrent writes. */
  readonly loadP99: number;
  /** CPU per operation: the bench process's, and the rest of the host's (the server's). */
  readonly cpu: CpuPerOp;
}

/** Latency samples of one run, µs: every operation, and the loads among them. */
interface MixedSamples {
  readonly all: number[];
  readonly loads: number[];
}

/**
 * One client and what it wrote. In its own scope every answer it gets can be checked exactly;
 * in a shared scope its loads still are (only it rewrites its tasks), its pages are judged by
 * the scope's {@link SharedScopeLedger}.
 */
class MixedClient {
  readonly #tasks = new Map<string, Task>();
  readonly #expected = new Map<string, string>();
  readonly #keys = new Map<string, ListKey>();
  #created = 0;
  #turn = 0;

  constructor(
    private readonly subject: Subject,
    private readonly samples: MixedSamples,
    readonly context: ServerCallContext,
    private readonly shared?: SharedScopeLedger,
  ) {}

  nextNewTask(): Task {
    return makeTask(this.#created++ * 1000);
  }

  remember(task: Task, isNew: boolean): void {
    this.shared?.settled(task, isNew);
    this.#tasks.set(task.id, task);
    this.#expected.set(task.id, canonicalTask(task));
    this.#keys.set(task.id, listKeyOf(task));
  }

  /** A task this client owns, taking turns so loads and updates spread over all of them. */
  #pick(): Task {
    const ids = [...this.#tasks.keys()];
    return this.#tasks.get(ids[this.#turn++ % ids.length]!)!;
  }

  async run(op: MixedOp): Promise<void> {
    const store = this.subject.taskStore;
    const before = this.shared?.mark();
    const start = process.hrtime.bigint();
    const took = () => {
      const us = Number(process.hrtime.bigint() - start) / 1000;
      this.samples.all.push(us);
      if (op === 'load') this.samples.loads.push(us);
    };
    switch (op) {
      case 'save': {
        const task = this.nextNewTask();
        this.shared?.starting(task, true);
        await store.save(task, this.context);
        took();
        this.remember(task, true);
        return;
      }
      case 'update': {
        const next = updatedTask(this.#pick(), 500);
        this.shared?.starting(next, false);
        await store.save(next, this.context);
        took();
        this.remember(next, false);
        return;
      }
      case 'load': {
        const task = this.#pick();
        const loaded = await store.load(task.id, this.context);
        took();
        checkLoaded(this.subject.name, task.id, loaded, this.#expected.get(task.id)!);
        return;
      }
      case 'list': {
        const page = await store.list(listRequest(), this.context);
        took();
        if (this.shared && before) {
          this.shared.check(this.subject.name, page, before);
          return;
        }
        const expected = idsInListOrder([...this.#keys.values()]).slice(0, PAGE_SIZE);
        checkPage(this.subject.name, 'mixed first page', page.tasks, expected);
        // The floors count nothing (-1); every other subject's total must be exact.
        if (page.totalSize >= 0 && page.totalSize !== this.#tasks.size) {
          throw new BenchCheckError(
            this.subject.name,
            `mixed first page: totalSize ${page.totalSize}, ${this.#tasks.size} saved`,
          );
        }
        return;
      }
    }
  }
}

/**
 * `options.mixedOps` operations by `options.clients` concurrent clients walking
 * {@link MIXED_CYCLE}, each in its own scope or all in one (see {@link MixedScoping}). Every
 * load and page is checked against what the clients wrote.
 */
export async function runMixed(
  subject: Subject,
  options: BenchOptions,
  scoping: MixedScoping = 'per-client',
): Promise<MixedStats> {
  const samples: MixedSamples = { all: [], loads: [] };
  const shared = scoping === 'one-scope' ? new SharedScopeLedger() : undefined;
  const sharedContext = contextOf(randomScope());
  const clients = Array.from(
    { length: options.clients },
    () =>
      new MixedClient(subject, samples, shared ? sharedContext : contextOf(randomScope()), shared),
  );
  for (const client of clients) {
    const tasks = Array.from({ length: MIXED_PRESEED }, () => client.nextNewTask());
    for (const task of tasks) shared?.starting(task, true);
    await saveInBatches(subject.taskStore, client.context, tasks, 8);
    for (const task of tasks) client.remember(task, true);
  }
  const start = performance.now();
  const cpuStart = cpuMark();
  await Promise.all(
    clients.map(async (client, c) => {
      let turn = 0;
      for (let op = c; op < options.mixedOps; op += options.clients) {
        await client.run(MIXED_CYCLE[turn++ % MIXED_CYCLE.length]!);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = cpuPerOpSince(cpuStart, samples.all.length);
  const sorted = samples.all.sort((a, b) => a - b);
  return {
    scoping,
    clients: options.clients,
    ops: sorted.length,
    seconds,
    opsPerSec: sorted.length / seconds,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    loadP99: quantile(
      samples.loads.sort((a, b) => a - b),
      0.99,
    ),
    cpu,
  };
}

/** Median of each statistic of several mixed runs. */
export function medianOfMixedRuns(runs: readonly MixedStats[]): MixedStats {
  const of = (pick: (run: MixedStats) => number) => median(runs.map(pick));
  return {
    scoping: runs[0]?.scoping ?? 'per-client',
    clients: runs[0]?.clients ?? 0,
    ops: runs[0]?.ops ?? 0,
    seconds: of((run) => run.seconds),
    opsPerSec: of((run) => run.opsPerSec),
    p50: of((run) => run.p50),
    p99: of((run) => run.p99),
    loadP99: of((run) => run.loadP99),
    cpu: medianCpu(runs),
  };
}

/** Median of each CPU figure of several runs (the host's only when every run has it). */
function medianCpu(runs: readonly MixedStats[]): CpuPerOp {
  const benchUs = median(runs.map((run) => run.cpu.benchUs));
  const others = runs.map((run) => run.cpu.otherUs);
  return others.every((us): us is number => us !== undefined)
    ? { benchUs, otherUs: median(others) }
    : { benchUs };
}

import type { Task } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import { contextOf, makeTask, randomScope, updatedTask } from './fixtures.js';
import { idsInListOrder, type ListKey, listKeyOf, listRequest } from './list-request.js';
import type { BenchOptions } from './options.js';
import { PAGE_SIZE } from './options.js';
import { saveInBatches } from './seed.js';
import { median, quantile } from './stats.js';
import type { Subject } from './subject.js';
import { canonicalTask, checkLoaded, checkPage } from './verify.js';

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

/** One mixed run: throughput of all clients together, and the latency of every operation. */
export interface MixedStats {
  readonly clients: number;
  readonly ops: number;
  readonly seconds: number;
  readonly opsPerSec: number;
  /** µs, over every operation of every kind. */
  readonly p50: number;
  readonly p99: number;
}

/** One client: its own scope (so every answer it gets can be checked exactly) and what it wrote. */
class MixedClient {
  readonly context: ServerCallContext = contextOf(randomScope());
  readonly #tasks = new Map<string, Task>();
  readonly #expected = new Map<string, string>();
  readonly #keys = new Map<string, ListKey>();
  #created = 0;
  #turn = 0;

  constructor(
    private readonly subject: Subject,
    private readonly latenciesUs: number[],
  ) {}

  nextNewTask(): Task {
    return makeTask(this.#created++ * 1000);
  }

  remember(task: Task): void {
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
    const start = process.hrtime.bigint();
    const took = () => this.latenciesUs.push(Number(process.hrtime.bigint() - start) / 1000);
    switch (op) {
      case 'save': {
        const task = this.nextNewTask();
        await store.save(task, this.context);
        took();
        this.remember(task);
        return;
      }
      case 'update': {
        const next = updatedTask(this.#pick(), 500);
        await store.save(next, this.context);
        took();
        this.remember(next);
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
        const expected = idsInListOrder([...this.#keys.values()]).slice(0, PAGE_SIZE);
        checkPage(this.subject.name, 'mixed first page', page.tasks, expected);
        return;
      }
    }
  }
}

/**
 * `options.mixedOps` operations by `options.clients` concurrent clients, each in its own scope
 * walking {@link MIXED_CYCLE}. Every load and page is checked against what that client wrote.
 */
export async function runMixed(subject: Subject, options: BenchOptions): Promise<MixedStats> {
  const latenciesUs: number[] = [];
  const clients = Array.from(
    { length: options.clients },
    () => new MixedClient(subject, latenciesUs),
  );
  for (const client of clients) {
    const tasks = Array.from({ length: MIXED_PRESEED }, () => client.nextNewTask());
    await saveInBatches(subject.taskStore, client.context, tasks, 8);
    for (const task of tasks) client.remember(task);
  }
  const start = performance.now();
  await Promise.all(
    clients.map(async (client, c) => {
      let turn = 0;
      for (let op = c; op < options.mixedOps; op += options.clients) {
        await client.run(MIXED_CYCLE[turn++ % MIXED_CYCLE.length]!);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const sorted = latenciesUs.sort((a, b) => a - b);
  return {
    clients: options.clients,
    ops: sorted.length,
    seconds,
    opsPerSec: sorted.length / seconds,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
  };
}

/** Median of each statistic of several mixed runs. */
export function medianOfMixedRuns(runs: readonly MixedStats[]): MixedStats {
  const of = (pick: (run: MixedStats) => number) => median(runs.map(pick));
  return {
    clients: runs[0]?.clients ?? 0,
    ops: runs[0]?.ops ?? 0,
    seconds: of((run) => run.seconds),
    opsPerSec: of((run) => run.opsPerSec),
    p50: of((run) => run.p50),
    p99: of((run) => run.p99),
  };
}

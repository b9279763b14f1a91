import { randomUUID } from 'node:crypto';
import type { Task, TaskPushNotificationConfig } from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import { contextOf, makeTask, randomScope } from './fixtures.js';
import type { SeededScope } from './seed.js';
import type { Subject } from './subject.js';
import type { RunSamples, WorkloadName } from './workload-names.js';

/**
 * One subject's part of an interleaved run: its own fresh scope and tasks, what each task must
 * read back as, and its latency samples. Subjects never share records, so interleaving their
 * operations changes when each one runs, not what it does.
 */
export class SubjectRun {
  readonly subject: Subject;
  readonly seeded: SeededScope;
  readonly context: ServerCallContext;
  /** Same tenant, another owner: loads through it must find nothing. */
  readonly otherOwner: ServerCallContext;
  readonly tasks: readonly Task[];
  /** Canonical form of what each task id must load as, kept current by every timed write. */
  readonly expected = new Map<string, string>();
  /** Push configs as saved (copies), by index of their task. */
  readonly configs: TaskPushNotificationConfig[] = [];
  readonly samples: RunSamples = {};
  readonly #warmup: number;

  constructor(subject: Subject, seeded: SeededScope, total: number, warmup: number) {
    this.subject = subject;
    this.seeded = seeded;
    const scope = randomScope();
    this.context = contextOf(scope);
    this.otherOwner = contextOf({ tenant: scope.tenant, owner: `o-${randomUUID()}` });
    this.tasks = Array.from({ length: total }, (_, i) => makeTask(i * 1000));
    this.#warmup = warmup;
  }

  get name(): string {
    return this.subject.name;
  }

  /** Keeps the latency of operation `index` of a workload; warm-up operations are dropped. */
  record(workload: WorkloadName, index: number, ns: bigint): void {
    if (index < this.#warmup) return;
    const list = this.samples[workload] ?? [];
    list.push(ns);
    this.samples[workload] = list;
  }
}

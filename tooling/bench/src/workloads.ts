import { randomUUID } from 'node:crypto';
import type { Task, TaskPushNotificationConfig } from '@a2a-js/sdk';
import { contextOf, makeTask, randomScope, updatedTask } from './fixtures.js';
import { listRequest } from './list-request.js';
import { type BenchOptions, PAGE_SIZE } from './options.js';
import type { SeededScope } from './seed.js';
import type { Subject } from './subject.js';
import { BENCH_PUSH_HOST } from './subjects/push-url-check.js';
import { canonicalTask, checkAbsent, checkLoaded, checkPage, checkPushConfigs } from './verify.js';

/** The workloads, in the order they run and are reported. */
export const WORKLOADS = [
  'save new',
  'load hit',
  'load miss',
  'load other scope',
  'update',
  'list first page',
  'list deep page',
  'list by context',
  'list by status',
  'push save',
  'push load',
] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/** Latency samples (ns) of one run of one subject, by workload. */
export type RunSamples = Partial<Record<WorkloadName, bigint[]>>;

async function timed<T>(call: () => Promise<T>): Promise<[T, bigint]> {
  const start = process.hrtime.bigint();
  const value = await call();
  return [value, process.hrtime.bigint() - start];
}

/**
 * One run of every workload on `subject`: `warmup` untimed operations, then `ops` timed ones.
 * Only the store call is timed; its result is checked right after, outside the timing.
 */
export async function runWorkloads(
  subject: Subject,
  seeded: SeededScope,
  options: BenchOptions,
): Promise<RunSamples> {
  const store = subject.taskStore;
  const scope = randomScope();
  const context = contextOf(scope);
  const otherOwner = contextOf({ tenant: scope.tenant, owner: `o-${randomUUID()}` });
  const total = options.warmup + options.ops;
  const samples: RunSamples = {};
  const record = (name: WorkloadName, index: number, ns: bigint) => {
    if (index < options.warmup) return;
    const list = samples[name] ?? [];
    list.push(ns);
    samples[name] = list;
  };
  const expected = new Map<string, string>();

  const tasks: Task[] = [];
  for (let i = 0; i < total; i++) tasks.push(makeTask(i * 1000));
  for (const [i, task] of tasks.entries()) {
    const [, ns] = await timed(() => store.save(task, context));
    expected.set(task.id, canonicalTask(task));
    record('save new', i, ns);
  }
  for (const [i, task] of tasks.entries()) {
    const [loaded, ns] = await timed(() => store.load(task.id, context));
    checkLoaded(subject.name, task.id, loaded, expected.get(task.id)!);
    record('load hit', i, ns);
  }
  for (let i = 0; i < total; i++) {
    const missing = randomUUID();
    const [loaded, ns] = await timed(() => store.load(missing, context));
    checkAbsent(subject.name, missing, loaded);
    record('load miss', i, ns);
  }
  for (const [i, task] of tasks.entries()) {
    const [loaded, ns] = await timed(() => store.load(task.id, otherOwner));
    checkAbsent(subject.name, task.id, loaded);
    record('load other scope', i, ns);
  }
  for (const [i, task] of tasks.entries()) {
    const next = updatedTask(task, 500);
    const [, ns] = await timed(() => store.save(next, context));
    expected.set(next.id, canonicalTask(next));
    record('update', i, ns);
  }
  // Updates are acknowledged; every one of them must read back.
  for (const task of tasks) {
    checkLoaded(subject.name, task.id, await store.load(task.id, context), expected.get(task.id)!);
  }
  const firstIds = seeded.expectedIds.slice(0, PAGE_SIZE);
  const deepFrom = (options.deepPage - 1) * PAGE_SIZE;
  const deepIds = seeded.expectedIds.slice(deepFrom, deepFrom + PAGE_SIZE);
  for (let i = 0; i < total; i++) {
    const [page, ns] = await timed(() => store.list(listRequest(''), seeded.context));
    checkPage(subject.name, 'first page', page.tasks, firstIds);
    record('list first page', i, ns);
  }
  for (let i = 0; i < total; i++) {
    const [page, ns] = await timed(() => store.list(listRequest(seeded.deepToken), seeded.context));
    checkPage(subject.name, `page ${options.deepPage}`, page.tasks, deepIds);
    record('list deep page', i, ns);
  }
  const { contextId, firstIds: contextIds } = seeded.byContext;
  for (let i = 0; i < total; i++) {
    const request = listRequest('', { contextId });
    const [page, ns] = await timed(() => store.list(request, seeded.context));
    checkPage(subject.name, 'first page of a context', page.tasks, contextIds);
    record('list by context', i, ns);
  }
  const { status, firstIds: statusIds } = seeded.byStatus;
  for (let i = 0; i < total; i++) {
    const request = listRequest('', { status });
    const [page, ns] = await timed(() => store.list(request, seeded.context));
    checkPage(subject.name, 'first page of a status', page.tasks, statusIds);
    record('list by status', i, ns);
  }
  const push = subject.pushStore;
  if (push) {
    const configs: TaskPushNotificationConfig[] = [];
    for (const [i, task] of tasks.entries()) {
      const config: TaskPushNotificationConfig = {
        tenant: '',
        id: randomUUID(),
        taskId: task.id,
        url: `https://${BENCH_PUSH_HOST}/hook/${task.id}`,
        token: `token-${i}`,
        authentication: { scheme: 'Bearer', credentials: `secret-${i}` },
      };
      // A copy is saved: the reference the load is checked against stays as written.
      configs.push(structuredClone(config));
      const [, ns] = await timed(() => push.save(task.id, context, config));
      record('push save', i, ns);
    }
    for (const [i, task] of tasks.entries()) {
      const [loaded, ns] = await timed(() => push.load(task.id, context));
      checkPushConfigs(subject.name, task.id, loaded, configs[i]!);
      record('push load', i, ns);
    }
  }
  return samples;
}

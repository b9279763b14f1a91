import { randomUUID } from 'node:crypto';
import {
  type ListTasksRequest,
  type Task,
  type TaskPushNotificationConfig,
  TaskState,
} from '@a2a-js/sdk';
import type { ServerCallContext } from '@a2a-js/sdk/server';
import { contextOf, makeTask, randomScope, updatedTask } from './fixtures.js';
import { type BenchOptions, PAGE_SIZE } from './options.js';
import type { Subject } from './subject.js';
import { BENCH_PUSH_HOST } from './subjects/push-url-check.js';
import {
  BenchCheckError,
  canonicalTask,
  checkAbsent,
  checkLoaded,
  checkPage,
  checkPushConfigs,
} from './verify.js';

/** The workloads, in the order they run and are reported. */
export const WORKLOADS = [
  'save new',
  'load hit',
  'load miss',
  'load other scope',
  'update',
  'list first page',
  'list deep page',
  'push save',
  'push load',
] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/** Latency samples (ns) of one run of one subject, by workload. */
export type RunSamples = Partial<Record<WorkloadName, bigint[]>>;

/** A scope of `scopeSize` tasks a subject was seeded with, and what its pages must hold. */
export interface SeededScope {
  readonly context: ServerCallContext;
  /** Every id in list order: status timestamp desc, then id desc. */
  readonly expectedIds: readonly string[];
  /** The token that opens page `deepPage`, as this subject minted it. */
  readonly deepToken: string;
}

function listRequest(pageToken: string): ListTasksRequest {
  return {
    tenant: '',
    contextId: '',
    status: TaskState.TASK_STATE_UNSPECIFIED,
    pageSize: PAGE_SIZE,
    pageToken,
    statusTimestampAfter: undefined,
  };
}

async function timed<T>(call: () => Promise<T>): Promise<[T, bigint]> {
  const start = process.hrtime.bigint();
  const value = await call();
  return [value, process.hrtime.bigint() - start];
}

/** Code-point order of ids (UUIDs are ASCII, so JS string order is byte order). */
function byListOrder(a: Task, b: Task): number {
  const stampA = Date.parse(a.status?.timestamp ?? '');
  const stampB = Date.parse(b.status?.timestamp ?? '');
  if (stampA !== stampB) return stampB - stampA;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * Seeds a fresh scope with `scopeSize` tasks (pairs share a timestamp, so ties are ordered by
 * id), then walks the pages up to the deep one, checking each, to get the deep page's token.
 */
export async function seedScope(subject: Subject, options: BenchOptions): Promise<SeededScope> {
  const context = contextOf(randomScope());
  const tasks: Task[] = [];
  for (let i = 0; i < options.scopeSize; i++) tasks.push(makeTask(Math.floor(i / 2) * 1000));
  for (let i = 0; i < tasks.length; i += 8) {
    await Promise.all(tasks.slice(i, i + 8).map((task) => subject.taskStore.save(task, context)));
  }
  const expectedIds = [...tasks].sort(byListOrder).map((task) => task.id);
  let token = '';
  for (let page = 1; page < options.deepPage; page++) {
    const response = await subject.taskStore.list(listRequest(token), context);
    const from = (page - 1) * PAGE_SIZE;
    checkPage(
      subject.name,
      `seed page ${page}`,
      response.tasks,
      expectedIds.slice(from, from + PAGE_SIZE),
    );
    if (!response.nextPageToken)
      throw new BenchCheckError(subject.name, `no token after page ${page}`);
    token = response.nextPageToken;
  }
  return { context, expectedIds, deepToken: token };
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

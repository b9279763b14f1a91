import { randomUUID } from 'node:crypto';
import { type Task, TaskState } from '@a2a-js/sdk';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import { contextOf, makeTask, randomScope } from './fixtures.js';
import { idsInListOrder, listKeyOf, listRequest } from './list-request.js';
import { type BenchOptions, PAGE_SIZE } from './options.js';
import type { Subject } from './subject.js';
import { BenchCheckError, checkPage } from './verify.js';

/** Tasks per context in a seeded scope: two pages' worth, spread over the whole time range. */
export const TASKS_PER_CONTEXT = 100;
/** One seeded task in this many is input-required (the rest are working): the status filter's target. */
export const INPUT_REQUIRED_EVERY = 10;

/** A scope of `scopeSize` tasks a subject was seeded with, and what its pages must hold. */
export interface SeededScope {
  readonly context: ServerCallContext;
  /** Every id in list order: status timestamp desc, then id desc. */
  readonly expectedIds: readonly string[];
  /** The token that opens page `deepPage`, as this subject minted it. */
  readonly deepToken: string;
  /** A context of the scope and the ids of its first page. */
  readonly byContext: { readonly contextId: string; readonly firstIds: readonly string[] };
  /** The rarer state of the scope and the ids of its first page. */
  readonly byStatus: { readonly status: TaskState; readonly firstIds: readonly string[] };
}

/**
 * Saves `tasks` through the store's own `save`, `concurrency` at a time: the stores have no bulk
 * API, so a batch is that many concurrent saves (each its own durable write).
 */
export async function saveInBatches(
  store: TaskStore,
  context: ServerCallContext,
  tasks: readonly Task[],
  concurrency: number,
): Promise<void> {
  for (let i = 0; i < tasks.length; i += concurrency) {
    await Promise.all(tasks.slice(i, i + concurrency).map((task) => store.save(task, context)));
  }
}

/**
 * The `index`-th task of a seeded scope: pairs share a timestamp (so ties are ordered by id),
 * contexts take turns, and one task in {@link INPUT_REQUIRED_EVERY} is input-required.
 */
export function seededTask(index: number, contexts: readonly string[]): Task {
  return makeTask(Math.floor(index / 2) * 1000, {
    contextId: contexts[index % contexts.length]!,
    state:
      index % INPUT_REQUIRED_EVERY === 0
        ? TaskState.TASK_STATE_INPUT_REQUIRED
        : TaskState.TASK_STATE_WORKING,
  });
}

/** Context ids for a scope of `size` tasks, {@link TASKS_PER_CONTEXT} each. */
export function contextsFor(size: number): string[] {
  return Array.from({ length: Math.max(1, Math.floor(size / TASKS_PER_CONTEXT)) }, () =>
    randomUUID(),
  );
}

/** Walks pages 1..page-1 in `context`, checking each against `expectedIds`; the token of `page`. */
export async function tokenOfPage(
  subject: Subject,
  context: ServerCallContext,
  expectedIds: readonly string[],
  page: number,
): Promise<string> {
  let token = '';
  for (let current = 1; current < page; current++) {
    const response = await subject.taskStore.list(listRequest(token), context);
    const from = (current - 1) * PAGE_SIZE;
    checkPage(
      subject.name,
      `seed page ${current}`,
      response.tasks,
      expectedIds.slice(from, from + PAGE_SIZE),
    );
    if (!response.nextPageToken) {
      throw new BenchCheckError(subject.name, `no token after page ${current}`);
    }
    token = response.nextPageToken;
  }
  return token;
}

/**
 * Seeds a fresh scope with `scopeSize` tasks, then walks the pages up to the deep one, checking
 * each, to get the deep page's token.
 */
export async function seedScope(subject: Subject, options: BenchOptions): Promise<SeededScope> {
  const context = contextOf(randomScope());
  const contexts = contextsFor(options.scopeSize);
  const tasks = Array.from({ length: options.scopeSize }, (_, i) => seededTask(i, contexts));
  await saveInBatches(subject.taskStore, context, tasks, 8);
  const keys = tasks.map(listKeyOf);
  const expectedIds = idsInListOrder(keys);
  const contextId = contexts[0]!;
  const status = TaskState.TASK_STATE_INPUT_REQUIRED;
  const firstOf = (keep: (task: Task) => boolean) =>
    idsInListOrder(tasks.filter(keep).map(listKeyOf)).slice(0, PAGE_SIZE);
  return {
    context,
    expectedIds,
    deepToken: await tokenOfPage(subject, context, expectedIds, options.deepPage),
    byContext: { contextId, firstIds: firstOf((task) => task.contextId === contextId) },
    byStatus: { status, firstIds: firstOf((task) => task.status?.state === status) },
  };
}

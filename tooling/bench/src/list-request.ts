import { type ListTasksRequest, type Task, TaskState } from '@a2a-js/sdk';
import { PAGE_SIZE } from './options.js';

/** What a list call filters on (the SDK request's own fields). */
export interface ListFilter {
  readonly contextId?: string;
  readonly status?: TaskState;
}

/** A list request of one {@link PAGE_SIZE} page, optionally filtered, from `pageToken` on. */
export function listRequest(pageToken = '', filter: ListFilter = {}): ListTasksRequest {
  return {
    tenant: '',
    contextId: filter.contextId ?? '',
    status: filter.status ?? TaskState.TASK_STATE_UNSPECIFIED,
    pageSize: PAGE_SIZE,
    pageToken,
    statusTimestampAfter: undefined,
  };
}

/** The part of a task the list order looks at. */
export interface ListKey {
  readonly id: string;
  /** Status timestamp, epoch ms. */
  readonly sortKey: number;
}

export function listKeyOf(task: Task): ListKey {
  return { id: task.id, sortKey: Date.parse(task.status?.timestamp ?? '') };
}

/**
 * The list order: status timestamp desc, then id desc in code-point order (UUIDs are ASCII, so
 * JS string order is byte order).
 */
export function byListOrder(a: ListKey, b: ListKey): number {
  if (a.sortKey !== b.sortKey) return b.sortKey - a.sortKey;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Ids of `keys` in list order. */
export function idsInListOrder(keys: readonly ListKey[]): string[] {
  return [...keys].sort(byListOrder).map((key) => key.id);
}

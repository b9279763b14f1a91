import type { ListTasksResponse, Task } from '@a2a-js/sdk';
import { Task as TaskCodec } from '@a2a-js/sdk';

/** What a floor stores of a task: the columns its list filters and orders on, and the JSON. */
export interface FloorRecord {
  readonly contextId: string;
  /** The SDK's numeric task state. */
  readonly state: number;
  readonly sortKey: number;
  readonly body: string;
}

/**
 * The codec work every store must do at minimum: the task's wire JSON in, the same out. The raw
 * floors use it so that they are compared on storage cost, not on skipping serialization.
 */
export function encodeFloorTask(task: Task): FloorRecord {
  const stamp = task.status?.timestamp;
  const sortKey = stamp ? Date.parse(stamp) : 0;
  return {
    contextId: task.contextId,
    state: task.status?.state ?? 0,
    sortKey: Number.isNaN(sortKey) ? 0 : sortKey,
    body: JSON.stringify(TaskCodec.toJSON(task)),
  };
}

export function decodeFloorTask(body: string): Task {
  return TaskCodec.fromJSON(JSON.parse(body));
}

/** A floor's keyset cursor: the last row's sort key and id, in clear (the floor signs nothing). */
export function floorToken(sortKey: number, id: string): string {
  return `${sortKey}:${id}`;
}

export function parseFloorToken(token: string): { sortKey: number; id: string } {
  const colon = token.indexOf(':');
  return { sortKey: Number(token.slice(0, colon)), id: token.slice(colon + 1) };
}

/** Builds the response from `pageSize + 1` fetched rows: the extra one only says "more". */
export function floorPage(
  rows: readonly { id: string; sort_key: number | string; body: string }[],
  pageSize: number,
): ListTasksResponse {
  const page = rows.slice(0, pageSize);
  const last = page.at(-1);
  const tasks = page.map((row) => decodeFloorTask(row.body));
  return {
    tasks,
    nextPageToken: rows.length > pageSize && last ? floorToken(Number(last.sort_key), last.id) : '',
    pageSize,
    // The floor does no count: its page is the least work a keyset page can be.
    totalSize: -1,
  };
}

import type { ListTasksRequest, Task } from '@a2a-js/sdk';
import { TaskState } from '@a2a-js/sdk';
import { InvalidInputError } from './errors.js';
import { assertValidOptionalId } from './limits.js';
import { decodePageToken, type PageBinding, type PageCursor } from './page-token.js';
import type { Scope } from './scope.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/** A validated `list` request in the terms backends work with. */
export interface ListQuery {
  /** Filter on context id; `''` means no filter. */
  readonly contextId: string;
  /** Filter on state; 0 means no filter. */
  readonly state: number;
  /** Only tasks whose status timestamp is strictly after this (epoch ms); null means no filter. */
  readonly after: number | null;
  /** Start strictly after this position in (sortKey desc, id desc) order; null for page one. */
  readonly cursor: PageCursor | null;
  readonly pageSize: number;
  readonly includeArtifacts: boolean;
  /** Keep only the last N history messages; 0 or less keeps none; undefined keeps all. */
  readonly historyLength: number | undefined;
  /** What the next page token is bound to. */
  readonly binding: PageBinding;
}

const validStates = new Set<number>(
  Object.values(TaskState).filter((v): v is number => typeof v === 'number' && v >= 0),
);

/** Validates a `ListTasksRequest` against the SDK's reference semantics. */
export function normalizeListRequest(
  params: Partial<ListTasksRequest> | undefined,
  scope: Scope,
): ListQuery {
  const p = params ?? {};
  const pageSize = p.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new InvalidInputError(`pageSize must be an integer between 1 and ${MAX_PAGE_SIZE}`);
  }
  const contextId = p.contextId ?? '';
  if (typeof contextId !== 'string')
    throw new InvalidInputError('contextId filter is not a valid id');
  assertValidOptionalId(contextId, 'contextId filter');
  const state = p.status ?? TaskState.TASK_STATE_UNSPECIFIED;
  if (!validStates.has(state))
    throw new InvalidInputError(`Invalid status filter: ${String(state)}`);
  let after: number | null = null;
  if (p.statusTimestampAfter) {
    const ms = Date.parse(p.statusTimestampAfter);
    if (!Number.isFinite(ms)) {
      throw new InvalidInputError('statusTimestampAfter must be a valid ISO 8601 date string');
    }
    after = ms;
  }
  const historyLength = p.historyLength;
  // Any integer, like the SDK's DefaultRequestHandler (0 or less: no history). A non-integer is
  // refused: the SDK would slice by its truncation, which no client means to ask for.
  if (historyLength !== undefined && !Number.isInteger(historyLength)) {
    throw new InvalidInputError('historyLength must be an integer');
  }
  const binding: PageBinding = { scope, contextId, state, after };
  const cursor = p.pageToken ? decodePageToken(p.pageToken, binding) : null;
  return {
    contextId,
    state,
    after,
    cursor,
    pageSize,
    includeArtifacts: p.includeArtifacts === true,
    historyLength,
    binding,
  };
}

/**
 * Applies `historyLength` in place as the SDK's `DefaultRequestHandler` does for list and get:
 * undefined keeps all, 0 or less empties the history, N keeps the last N.
 */
export function trimHistory(task: Task, historyLength: number | undefined): Task {
  if (historyLength !== undefined) {
    task.history = historyLength <= 0 ? [] : task.history.slice(-historyLength);
  }
  return task;
}

/**
 * Order of ids inside one timestamp: code point order, which is what byte-wise (UTF-8) collation
 * gives in every database backend, so in-memory and SQL stores agree.
 */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

/** True when (sortKey, id) comes strictly after the cursor in (sortKey desc, id desc) order. */
export function isAfterCursor(sortKey: number, id: string, cursor: PageCursor): boolean {
  return sortKey < cursor.sortKey || (sortKey === cursor.sortKey && compareIds(id, cursor.id) < 0);
}

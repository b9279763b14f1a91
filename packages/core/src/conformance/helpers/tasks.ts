import { randomUUID } from 'node:crypto';
import {
  type Artifact,
  type ListTasksRequest,
  type Message,
  type Part,
  Role,
  type Task,
  type TaskPushNotificationConfig,
  TaskState,
} from '@a2a-js/sdk';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import { compareIds, timestampSortKey } from '@a2a-stores/core';
import { CONFORMANCE_PUSH_HOST } from './push-url.js';

/** A fixed instant the suite's timestamps count from, so orderings are predictable. */
export const BASE_TIME = Date.UTC(2024, 0, 15, 12, 0, 0);

/** ISO-8601 timestamp (always with milliseconds) `offsetMs` after {@link BASE_TIME}. */
export function isoAt(offsetMs: number): string {
  return new Date(BASE_TIME + offsetMs).toISOString();
}

/** A text part (SDK shape, every field set). */
export function textPart(text: string, extra: Partial<Omit<Part, 'content'>> = {}): Part {
  return {
    content: { $case: 'text', value: text },
    metadata: undefined,
    filename: '',
    mediaType: '',
    ...extra,
  };
}

/** A raw bytes part (copied into a `Buffer`, as `Task.fromJSON` builds them). */
export function rawPart(bytes: Uint8Array, extra: Partial<Omit<Part, 'content'>> = {}): Part {
  return {
    content: { $case: 'raw', value: Buffer.from(bytes) },
    metadata: undefined,
    filename: 'blob.bin',
    mediaType: 'application/octet-stream',
    ...extra,
  };
}

/** A structured data part. */
export function dataPart(value: unknown, extra: Partial<Omit<Part, 'content'>> = {}): Part {
  return {
    content: { $case: 'data', value },
    metadata: undefined,
    filename: '',
    mediaType: 'application/json',
    ...extra,
  };
}

/** A file-by-URL part. */
export function urlPart(url: string, extra: Partial<Omit<Part, 'content'>> = {}): Part {
  return {
    content: { $case: 'url', value: url },
    metadata: undefined,
    filename: 'file.pdf',
    mediaType: 'application/pdf',
    ...extra,
  };
}

/** One history message of `taskId`, alternating user and agent roles. */
export function makeMessage(
  taskId: string,
  contextId: string,
  index: number,
  parts?: Part[],
): Message {
  return {
    messageId: `${taskId}-m${index}`,
    contextId,
    taskId,
    role: index % 2 === 0 ? Role.ROLE_USER : Role.ROLE_AGENT,
    parts: parts ?? [textPart(`message ${index} of ${taskId}`)],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/** An artifact with id `artifact-<index>` (one text part unless `parts` is given). */
export function makeArtifact(index: number, parts?: Part[]): Artifact {
  return {
    artifactId: `artifact-${index}`,
    name: `Artifact ${index}`,
    description: `Output number ${index}`,
    parts: parts ?? [textPart(`artifact body ${index}`)],
    metadata: { index },
    extensions: [],
  };
}

/** What {@link makeTask} builds. Every field has a default. */
export interface TaskSpec {
  readonly id?: string;
  readonly contextId?: string;
  /** Default working. */
  readonly state?: TaskState;
  /** Status timestamp; `null` builds a status without one. Default {@link isoAt}(0). */
  readonly timestamp?: string | null;
  /** Number of history messages. Default 2. */
  readonly historyLength?: number;
  /** Number of artifacts. Default 0. */
  readonly artifactCount?: number;
  readonly metadata?: Record<string, unknown>;
}

/** A valid task with a random id (unless given), for tests. */
export function makeTask(spec: TaskSpec = {}): Task {
  const id = spec.id ?? `task-${randomUUID()}`;
  const contextId = spec.contextId ?? `ctx-${randomUUID()}`;
  const history: Message[] = [];
  for (let i = 0; i < (spec.historyLength ?? 2); i++) history.push(makeMessage(id, contextId, i));
  const artifacts: Artifact[] = [];
  for (let i = 0; i < (spec.artifactCount ?? 0); i++) artifacts.push(makeArtifact(i));
  return {
    id,
    contextId,
    status: {
      state: spec.state ?? TaskState.TASK_STATE_WORKING,
      message: undefined,
      timestamp: spec.timestamp === null ? undefined : (spec.timestamp ?? isoAt(0)),
    },
    artifacts,
    history,
    metadata: spec.metadata,
  };
}

/** A webhook URL under the suite's test host, unique per call. */
export function pushUrl(): string {
  return `https://${CONFORMANCE_PUSH_HOST}/a2a/${randomUUID()}`;
}

/** A push config for `taskId`; `id` empty asks the store to assign one. */
export function makePushConfig(
  taskId: string,
  spec: { readonly id?: string; readonly token?: string; readonly url?: string } = {},
): TaskPushNotificationConfig {
  return {
    tenant: '',
    id: spec.id ?? `push-${randomUUID()}`,
    taskId,
    url: spec.url ?? pushUrl(),
    token: spec.token ?? `token-${randomUUID()}`,
    authentication: { scheme: 'Bearer', credentials: `secret-${randomUUID()}` },
  };
}

/** A complete `ListTasksRequest` (the SDK type requires every field) with no filters. */
export function listRequest(overrides: Partial<ListTasksRequest> = {}): ListTasksRequest {
  return {
    tenant: '',
    contextId: '',
    status: TaskState.TASK_STATE_UNSPECIFIED,
    pageToken: '',
    statusTimestampAfter: undefined,
    ...overrides,
  };
}

/** Saves tasks a few at a time (databases get real concurrency, without flooding a pool). */
export async function saveAll(
  store: TaskStore,
  tasks: readonly Task[],
  context: ServerCallContext,
  concurrency = 8,
): Promise<void> {
  for (let i = 0; i < tasks.length; i += concurrency) {
    await Promise.all(tasks.slice(i, i + concurrency).map((task) => store.save(task, context)));
  }
}

/** Ids in the order `list` must return them: status timestamp desc, then id desc by code point. */
export function expectedListOrder(tasks: readonly Task[]): string[] {
  return [...tasks]
    .sort(
      (a, b) =>
        timestampSortKey(b.status?.timestamp) - timestampSortKey(a.status?.timestamp) ||
        compareIds(b.id, a.id),
    )
    .map((task) => task.id);
}

/** Every page of a listing from `request.pageToken` on, following `nextPageToken` until it is empty. */
export async function listAll(
  store: TaskStore,
  context: ServerCallContext,
  request: Partial<ListTasksRequest> = {},
  maxPages = 10_000,
): Promise<{ ids: string[]; pages: number; totalSizes: number[] }> {
  const ids: string[] = [];
  const totalSizes: number[] = [];
  let pageToken = request.pageToken ?? '';
  let pages = 0;
  do {
    const page = await store.list(listRequest({ ...request, pageToken }), context);
    pages++;
    if (pages > maxPages) throw new Error(`listing did not end after ${maxPages} pages`);
    ids.push(...page.tasks.map((task) => task.id));
    totalSizes.push(page.totalSize);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return { ids, pages, totalSizes };
}

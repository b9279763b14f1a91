import type { Task } from '@a2a-js/sdk';

/**
 * Marks the placeholders that carry sealed fields. A sealed history is one message, a sealed
 * status message is one message, sealed artifacts are one artifact, each with this id and one
 * text part holding the sealed value; sealed metadata is `{ [SEALED_MARKER]: sealed }`. Every
 * store codec round-trips these exactly. User values never reach the inner store as this id (see
 * {@link escapeUserIds}), so only the wrapper writes it.
 */
export const SEALED_MARKER = 'a2a-stores:sealed';

/** The task fields whose ids or keys can name a placeholder. */
export type IdField = 'history' | 'artifacts' | 'metadata' | 'statusMessage';

const TILDE = 0x7e;

/**
 * True for the marker followed by at least `minTildes` `~` and nothing else. That family is
 * reserved: a user id in it is stored with one more `~`, so the bare marker is never user data
 * and every stored id maps back to exactly one user id.
 */
function inReservedFamily(value: unknown, minTildes: number): value is string {
  if (typeof value !== 'string' || !value.startsWith(SEALED_MARKER)) return false;
  if (value.length - SEALED_MARKER.length < minTildes) return false;
  for (let i = SEALED_MARKER.length; i < value.length; i++) {
    if (value.charCodeAt(i) !== TILDE) return false;
  }
  return true;
}

/** A user id as the inner store holds it: the marker and its `~` family gain one `~`. */
function escapeId<T>(value: T): T {
  return inReservedFamily(value, 0) ? (`${value}~` as T) : value;
}

/** A stored id as the user wrote it: the inverse of {@link escapeId}. */
function unescapeId<T>(value: T): T {
  return inReservedFamily(value, 1) ? (value.slice(0, -1) as T) : value;
}

type Mapper = <T>(value: T) => T;

/** True when `item` is an object whose `key` the mapper changes. */
function changes<T extends object, K extends keyof T>(item: T, key: K, map: Mapper): boolean {
  return typeof item === 'object' && item !== null && map(item[key]) !== item[key];
}

/**
 * `items` with `key` mapped, or undefined when no id changes (the common case). Malformed input
 * (not an array, null items) is left as it is, for the inner store's validation to refuse.
 */
function mapIds<T extends object, K extends keyof T>(
  items: readonly T[] | undefined,
  key: K,
  map: Mapper,
): T[] | undefined {
  if (!Array.isArray(items) || !items.some((item) => changes(item, key, map))) return undefined;
  return items.map((item) => (changes(item, key, map) ? { ...item, [key]: map(item[key]) } : item));
}

/** Metadata with its top-level keys mapped (order kept), or undefined when none changes. */
function mapKeys(
  metadata: Record<string, unknown> | undefined,
  map: Mapper,
): Record<string, unknown> | undefined {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    return undefined;
  }
  const keys = Object.keys(metadata);
  if (!keys.some((key) => map(key) !== key)) return undefined;
  const result: Record<string, unknown> = {};
  for (const key of keys) result[map(key)] = metadata[key];
  return result;
}

/** The task with the ids of every field not in `skip` mapped; the same object when none changes. */
function mapTaskIds(task: Task, skip: ReadonlySet<IdField>, map: Mapper): Task {
  const history = skip.has('history') ? undefined : mapIds(task.history, 'messageId', map);
  const artifacts = skip.has('artifacts') ? undefined : mapIds(task.artifacts, 'artifactId', map);
  const metadata = skip.has('metadata') ? undefined : mapKeys(task.metadata, map);
  const message = typeof task.status === 'object' ? task.status?.message : undefined;
  const statusMessage =
    message && !skip.has('statusMessage') ? mapIds([message], 'messageId', map) : undefined;
  if (!history && !artifacts && !metadata && !statusMessage) return task;
  const result = { ...task };
  if (history) result.history = history;
  if (artifacts) result.artifacts = artifacts;
  if (metadata) result.metadata = metadata;
  if (statusMessage) result.status = { ...task.status!, message: statusMessage[0] };
  return result;
}

/**
 * The task as the inner store must hold its fields that stay in clear (all but `sealed`): any
 * message id, artifact id or top-level metadata key equal to {@link SEALED_MARKER}, or to the
 * marker followed only by `~`, gains one `~`. A user value can then never be taken for a
 * placeholder, whatever fields are sealed. Returns the same object when nothing collides.
 */
export function escapeUserIds(task: Task, sealed: ReadonlySet<IdField>): Task {
  return mapTaskIds(task, sealed, escapeId);
}

/** The inverse of {@link escapeUserIds} on the fields read in clear (all but `opened`). */
export function unescapeStoredIds(task: Task, opened: ReadonlySet<IdField>): Task {
  return mapTaskIds(task, opened, unescapeId);
}

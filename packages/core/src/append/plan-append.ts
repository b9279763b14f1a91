import { Artifact, Message, Part, type Task } from '@a2a-js/sdk';
import type { EncodedTaskAppend } from '../backend.js';
import { serialising, type TaskColumns } from '../task-codec.js';
import { keepLastMessages, recentChange, recentFrom } from './recent-history.js';
import { copyMessage, copyPart, sameMessage, samePart } from './sdk-units.js';
import {
  type ArtifactSnapshot,
  artifactHeadJson,
  type TaskSnapshot,
  taskHeadJson,
} from './task-snapshot.js';

/** An append that stores a save, and what core remembers once it is written. */
export interface AppendPlan {
  readonly append: EncodedTaskAppend;
  /** The snapshot after the append, still at the old version (the write decides the new one). */
  readonly next: TaskSnapshot;
}

// `"history":[` … `]` and `"parts":[` … `]` around a non-empty list, before the items and the
// commas between them; plus the comma before the key when the object has other keys.
const HISTORY_KEY_BYTES = '"history":[]'.length;
const PARTS_KEY_BYTES = '"parts":[]'.length;

function keyComma(headBytes: number): number {
  return headBytes > 2 ? 1 : 0;
}

/** Growth of a JSON object's optional list (omitted when empty) from `count` items by `added`. */
function listGrowth(
  headBytes: number,
  keyBytes: number,
  count: number,
  added: number,
  addedBytes: number,
): number {
  if (added === 0) return 0;
  if (count > 0) return addedBytes + added;
  return keyComma(headBytes) + keyBytes + addedBytes + added - 1;
}

function byteSum(texts: readonly string[]): number {
  let sum = 0;
  for (const text of texts) sum += Buffer.byteLength(text);
  return sum;
}

/** The stored units are a prefix of `items`, each unchanged. */
function extendsCopies(
  items: readonly unknown[],
  copies: readonly unknown[],
  same: (item: unknown, copy: unknown) => boolean,
): boolean {
  if (items.length < copies.length) return false;
  for (let i = 0; i < copies.length; i++) if (!same(items[i], copies[i])) return false;
  return true;
}

interface ArtifactChange {
  readonly op: string | undefined;
  readonly growth: number;
  readonly snapshot: ArtifactSnapshot;
}

/**
 * An artifact written whole: a new one (`growth` 1 for the comma before it, or 0), or a stored
 * one replaced, whose old size is not known: the task's size then becomes an upper bound, and a
 * save that would cross the limit is checked by a full encoding instead.
 */
function wholeArtifact(index: number, artifact: Artifact, growth: number): ArtifactChange {
  const [json, headJson] = serialising(() => [
    JSON.stringify(Artifact.toJSON(artifact)),
    artifactHeadJson(artifact),
  ]);
  return {
    op: `{"i":${index},"artifact":${json}}`,
    growth: growth + Buffer.byteLength(json),
    snapshot: {
      artifactId: artifact.artifactId,
      headJson,
      headBytes: Buffer.byteLength(headJson),
      parts: (artifact.parts ?? []).map(copyPart),
    },
  };
}

/** How a stored artifact changed: parts appended (and its head rewritten), or replaced. */
function changeOf(index: number, artifact: Artifact, stored: ArtifactSnapshot): ArtifactChange {
  const parts = artifact.parts ?? [];
  if (!extendsCopies(parts, stored.parts, samePart)) {
    return wholeArtifact(index, artifact, 0);
  }
  const headJson = serialising(() => artifactHeadJson(artifact));
  const added = parts.slice(stored.parts.length);
  if (added.length === 0 && headJson === stored.headJson) {
    return { op: undefined, growth: 0, snapshot: stored };
  }
  const addedJson = serialising(() => added.map((part) => JSON.stringify(Part.toJSON(part))));
  const headBytes = Buffer.byteLength(headJson);
  const count = stored.parts.length;
  const growth =
    headBytes -
    stored.headBytes +
    (count > 0 ? keyComma(headBytes) - keyComma(stored.headBytes) : 0) +
    listGrowth(headBytes, PARTS_KEY_BYTES, count, added.length, byteSum(addedJson));
  return {
    op: `{"i":${index},"head":${headJson},"parts":[${addedJson.join(',')}]}`,
    growth,
    snapshot: {
      artifactId: artifact.artifactId,
      headJson,
      headBytes,
      parts: added.length === 0 ? stored.parts : stored.parts.concat(added.map(copyPart)),
    },
  };
}

/**
 * The append that turns the stored task (`stored`) into `task`, or undefined when the change is
 * not provably one: a stored history message or artifact part edited, artifacts removed or
 * reordered. Costs what changed plus one comparison per stored unit (strings compare by
 * content, but are never re-encoded). Throws `InvalidInputError` for what cannot be encoded.
 */
export function planAppend(
  stored: TaskSnapshot,
  task: Task,
  columns: TaskColumns,
): AppendPlan | undefined {
  const history = task.history ?? [];
  if (!extendsCopies(history, stored.history, sameMessage)) return undefined;
  const artifacts = task.artifacts ?? [];
  if (artifacts.length < stored.artifacts.length) return undefined;

  const headJson = serialising(() => taskHeadJson(task));
  const headBytes = Buffer.byteLength(headJson);
  const addedMessages = history.slice(stored.history.length);
  const messageJson = serialising(() =>
    addedMessages.map((message) => JSON.stringify(Message.toJSON(message))),
  );
  let bytes =
    stored.bytes +
    headBytes -
    stored.headBytes +
    listGrowth(
      headBytes,
      HISTORY_KEY_BYTES,
      stored.history.length,
      addedMessages.length,
      byteSum(messageJson),
    );

  const ops: string[] = [];
  const snapshots: ArtifactSnapshot[] = [];
  for (let i = 0; i < artifacts.length; i++) {
    const artifact = artifacts[i] as Artifact;
    const before = stored.artifacts[i];
    if (before && before.artifactId !== artifact.artifactId) return undefined;
    // A new artifact follows a comma when any came before it.
    const change = before
      ? changeOf(i, artifact, before)
      : wholeArtifact(i, artifact, i > 0 ? 1 : 0);
    if (change.op) ops.push(change.op);
    bytes += change.growth;
    snapshots.push(change.snapshot);
  }

  const body = addedMessages.length
    ? `{"head":${headJson},"history":[${messageJson.join(',')}]}`
    : `{"head":${headJson}}`;
  const artifactOps = ops.length ? `[${ops.join(',')}]` : '';
  const lastMessages = keepLastMessages(stored.lastMessages, messageJson);
  const recent = recentFrom(headJson, lastMessages, history.length);
  return {
    append: {
      id: task.id,
      ...columns,
      segment: { body, artifacts: artifactOps },
      bytes,
      lineage: stored.lineage,
      recent: recentChange(recent, stored.recentText),
    },
    next: {
      ...stored,
      lastMessages,
      recentText: recent ? recent.text : null,
      bytes,
      headBytes,
      history: addedMessages.length
        ? stored.history.concat(addedMessages.map(copyMessage))
        : stored.history,
      artifacts: snapshots,
      segmentChars: stored.segmentChars + body.length + artifactOps.length,
      segmentCount: stored.segmentCount + 1,
    },
  };
}

import { Artifact, Task } from '@a2a-js/sdk';
import { lastMessagesJson } from './recent-history.js';
import { adoptMessageText, adoptPartText, copyMessage, copyPart } from './sdk-units.js';
import type { StoredForm } from './stored-form.js';

/** What core remembers of one stored artifact to prove a later save only appends to it. */
export interface ArtifactSnapshot {
  readonly artifactId: string;
  /** JSON of the artifact without its parts (name, description, metadata, extensions). */
  readonly headJson: string;
  readonly headBytes: number;
  /** Copies of the stored parts, to compare what a save hands in. */
  readonly parts: readonly unknown[];
}

/**
 * What core remembers of one stored task (a row at one version and lineage) so the next save
 * can write only what changed. Holds copies, never the caller's objects.
 */
export interface TaskSnapshot {
  readonly version: number;
  readonly lineage: string;
  /** The task's size as stored (exact after a full write; an upper bound after a replace). */
  readonly bytes: number;
  /** UTF-8 size of the task's JSON without history and artifacts. */
  readonly headBytes: number;
  /** Copies of the stored history messages. */
  readonly history: readonly unknown[];
  readonly artifacts: readonly ArtifactSnapshot[];
  /** Characters written by the last full write, and appended since (when to write whole). */
  readonly baseChars: number;
  readonly segmentChars: number;
  readonly segmentCount: number;
  /** The stored content, for a load that finds the row at this version and lineage. */
  readonly stored?: StoredForm;
  /** JSON of the last stored messages a recent form can hold (see `keepLastMessages`). */
  readonly lastMessages: readonly string[];
  /** The recent form the row holds: its text, null for none, undefined when not known. */
  readonly recentText: string | null | undefined;
}

/** JSON of a task without history and artifacts: what every segment carries whole. */
export function taskHeadJson(task: Task): string {
  return JSON.stringify(Task.toJSON({ ...task, history: [], artifacts: [] }));
}

/** JSON of an artifact without its parts. */
export function artifactHeadJson(artifact: Artifact): string {
  return JSON.stringify(Artifact.toJSON({ ...artifact, parts: [] }));
}

export interface StoredShape {
  readonly version: number;
  readonly lineage: string;
  readonly bytes: number;
  readonly baseChars: number;
  readonly segmentChars: number;
  readonly segmentCount: number;
  readonly stored?: StoredForm;
  /** As in {@link TaskSnapshot}; computed from the task when absent. */
  readonly lastMessages?: readonly string[];
  readonly recentText?: string | null;
}

/**
 * A snapshot of `task` as stored in `shape`. Costs a copy of the whole task (its nodes, not its
 * strings, which are shared): taken after a full write or a load, both of which cost as much.
 */
export function snapshotOf(task: Task, shape: StoredShape): TaskSnapshot {
  return {
    ...shape,
    lastMessages: shape.lastMessages ?? lastMessagesJson(task.history ?? []),
    recentText: shape.recentText,
    headBytes: Buffer.byteLength(taskHeadJson(task)),
    history: (task.history ?? []).map(copyMessage),
    artifacts: (task.artifacts ?? []).map((artifact) => {
      const headJson = artifactHeadJson(artifact);
      return {
        artifactId: artifact.artifactId,
        headJson,
        headBytes: Buffer.byteLength(headJson),
        parts: (artifact.parts ?? []).map(copyPart),
      };
    }),
  };
}

/**
 * Points the snapshot's copies at the strings of `task`, just decoded from the row the snapshot
 * describes (same version and lineage, so the same content): the save that follows the load
 * then compares unchanged units by reference. False when the shapes disagree, in which case the
 * snapshot is dropped rather than trusted.
 */
export function adoptDecodedText(snapshot: TaskSnapshot, task: Task): boolean {
  const history = task.history ?? [];
  const artifacts = task.artifacts ?? [];
  if (history.length !== snapshot.history.length) return false;
  if (artifacts.length !== snapshot.artifacts.length) return false;
  for (let i = 0; i < history.length; i++) {
    if (!adoptMessageText(snapshot.history[i], history[i])) return false;
  }
  for (let i = 0; i < artifacts.length; i++) {
    const stored = snapshot.artifacts[i] as ArtifactSnapshot;
    const parts = artifacts[i]?.parts ?? [];
    if (parts.length !== stored.parts.length) return false;
    for (let j = 0; j < parts.length; j++) {
      if (!adoptPartText(stored.parts[j], parts[j])) return false;
    }
  }
  return true;
}

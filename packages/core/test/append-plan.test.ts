import { type Task, TaskState } from '@a2a-js/sdk';
import { describe, expect, it } from 'vitest';
import { decodeSegmentedTask } from '../src/append/decode-segments.js';
import { planAppend } from '../src/append/plan-append.js';
import { snapshotOf, type TaskSnapshot } from '../src/append/task-snapshot.js';
import {
  makeArtifact,
  makeMessage,
  makeTask,
  rawPart,
  textPart,
} from '../src/conformance/helpers/tasks.js';
import { canonicalTask, encodeTask } from '../src/index.js';
import { taskColumns } from '../src/task-codec.js';

const LIMIT = 64 * 1024 * 1024;

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function stored(task: Task): { snapshot: TaskSnapshot; body: string; artifacts: string } {
  const encoded = encodeTask(task, LIMIT);
  return {
    snapshot: snapshotOf(structuredClone(task), {
      version: 1,
      lineage: encoded.lineage,
      bytes: encoded.bytes,
      baseChars: encoded.body.length + encoded.artifacts.length,
      segmentChars: 0,
      segmentCount: 0,
    }),
    body: encoded.body,
    artifacts: encoded.artifacts,
  };
}

/** One random change a save can carry; some are appends, some are not. */
function mutate(task: Task, next: () => number, step: number): string {
  const pick = Math.floor(next() * 9);
  const text = `步${step} ${'é'.repeat(Math.floor(next() * 40))}`;
  switch (pick) {
    case 0:
      task.history.push(makeMessage(task.id, task.contextId, 100 + step, [textPart(text)]));
      return 'message';
    case 1:
      if (task.artifacts[0]) task.artifacts[0].parts.push(textPart(text));
      return 'part';
    case 2:
      task.artifacts.push(makeArtifact(step, next() < 0.5 ? [] : [textPart(text)]));
      return 'artifact';
    case 3:
      task.status = {
        state: TaskState.TASK_STATE_WORKING,
        message: undefined,
        timestamp: undefined,
      };
      task.metadata = next() < 0.5 ? undefined : { step, text };
      return 'head';
    case 4:
      if (task.artifacts[0]) task.artifacts[0].name = next() < 0.3 ? '' : text;
      if (task.artifacts[0]) task.artifacts[0].parts.push(rawPart(new Uint8Array([step & 255])));
      return 'artifact head';
    case 5:
      if (task.artifacts.length > 1) task.artifacts[1] = makeArtifact(1, [textPart(text)]);
      return 'replace';
    case 6:
      if (task.history.length > 0) task.history[0]!.parts[0] = textPart(text);
      return 'edit';
    case 7:
      task.artifacts.reverse();
      return 'reorder';
    default:
      if (task.artifacts[0]) {
        task.artifacts[0].artifactId = '';
        task.artifacts[0].name = '';
        task.artifacts[0].description = '';
        task.artifacts[0].metadata = undefined;
      }
      return 'empty head';
  }
}

describe('planAppend', () => {
  it('plans appends whose decoding equals the saved task and whose size is exact (or an upper bound after a replace)', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const next = random(seed);
      const task = makeTask({
        historyLength: Math.floor(next() * 3),
        artifactCount: Math.floor(next() * 3),
      });
      let base = stored(task);
      let snapshot = base.snapshot;
      let segments: { body: string; artifacts: string }[] = [];
      let replaced = false;
      for (let step = 0; step < 25; step++) {
        const kind = mutate(task, next, step);
        const plan = planAppend(snapshot, task, taskColumns(task));
        const exact = encodeTask(task, LIMIT).bytes;
        if (!plan) {
          expect(['edit', 'reorder', 'empty head', 'replace']).toContain(kind);
          base = stored(task);
          snapshot = base.snapshot;
          segments = [];
          replaced = false;
          continue;
        }
        const ops = plan.append.segment.artifacts
          ? (JSON.parse(plan.append.segment.artifacts) as { i: number; artifact?: unknown }[])
          : [];
        replaced ||= ops.some((op) => op.artifact && op.i < snapshot.artifacts.length);
        if (replaced) expect(plan.append.bytes).toBeGreaterThanOrEqual(exact);
        else expect(plan.append.bytes, `seed ${seed} step ${step} (${kind})`).toBe(exact);
        segments.push(plan.append.segment);
        snapshot = plan.next;
        const decoded = decodeSegmentedTask(task.id, base.body, base.artifacts, segments);
        expect(decoded, `seed ${seed} step ${step} (${kind})`).toEqual(canonicalTask(task));
        const bare = decodeSegmentedTask(
          task.id,
          base.body,
          undefined,
          segments.map((s) => ({ body: s.body })),
        );
        expect(bare).toEqual({ ...canonicalTask(task), artifacts: [] });
      }
    }
  });

  it('refuses to prove an append when a stored unit was edited in place', () => {
    const task = makeTask({ historyLength: 3, artifactCount: 1 });
    const { snapshot } = stored(task);
    task.history[1]!.parts[0]!.metadata = { edited: true };
    expect(planAppend(snapshot, task, taskColumns(task))).toBeUndefined();
  });

  it('writes only what changed: the segment holds the new part, not the stored ones', () => {
    const task = makeTask({ historyLength: 1, artifactCount: 1 });
    for (let i = 0; i < 50; i++)
      task.artifacts[0]!.parts.push(textPart(`stored ${i} ${'x'.repeat(900)}`));
    const { snapshot } = stored(task);
    task.artifacts[0]!.parts.push(textPart('the new chunk'));
    const plan = planAppend(snapshot, task, taskColumns(task))!;
    expect(plan.append.segment.artifacts).toContain('the new chunk');
    expect(plan.append.segment.artifacts).not.toContain('stored 0');
    expect(plan.append.segment.artifacts.length + plan.append.segment.body.length).toBeLessThan(
      1200,
    );
  });
});

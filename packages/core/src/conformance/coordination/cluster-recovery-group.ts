import { TaskState } from '@a2a-js/sdk';
import { ORPHAN_FAILURE_TEXT } from '@a2a-stores/core';
import { describe, expect, it } from 'vitest';
import { callContext, randomScope } from '../helpers/identity.js';
import { useFixtures } from './cluster-events-group.js';
import {
  type ClusterFixture,
  type ClusterWorker,
  consume,
  sendRequest,
  startTask,
  stateOf,
  textOf,
  userMessage,
} from './cluster-fixture.js';
import type { ClusterHarness } from './harness.js';
import { waitFor } from './wait.js';

/**
 * A task running on A, a subscriber on C, then A dies (its cluster closes: no more renewals,
 * its executor never steps again). Resolves with what the test needs to watch the recovery.
 */
async function killMidTask(fixture: ClusterFixture) {
  const { workers, timing } = fixture;
  const [a, c] = [workers[0]!, workers[2]!];
  const ctx = callContext(randomScope());
  const wait = (cond: () => boolean | Promise<boolean>, what: string) =>
    waitFor(cond, what, timing.waitMs);
  const { taskId } = await startTask(a, ctx, wait);
  const sub = consume(c.handler.resubscribe({ tenant: '', id: taskId }, ctx));
  await wait(() => sub.events.length >= 1, 'the snapshot on C');
  a.executor.runOf(taskId)!.advance();
  await wait(() => sub.events.length >= 2, 'step 1 on C');
  await a.cluster.close();
  return { ctx, taskId, sub, wait };
}

function recovered(workers: ClusterWorker[], outcome: 'failed' | 'resumed' | 'left'): number {
  return workers.reduce((sum, worker) => sum + worker.cluster.stats().recovered[outcome], 0);
}

/** Orphan recovery: a dead worker's task is failed, resumed or left, and subscribers end. */
export function runClusterRecoveryGroup(harness: ClusterHarness, destroy = true): void {
  describe(`cluster: orphan recovery (${harness.name})`, () => {
    const fixture = useFixtures(harness, destroy);

    it("'fail' (default): the task ends FAILED with an explanation, and the subscriber sees it", async () => {
      const started = await fixture();
      const { ctx, taskId, sub, wait } = await killMidTask(started);
      const b = started.workers[1]!;
      await wait(
        async () =>
          (await b.handler.getTask({ tenant: '', id: taskId }, ctx)).status?.state ===
          TaskState.TASK_STATE_FAILED,
        'the task to be failed',
      );
      const ended = await sub.done;
      expect(ended.error).toBeUndefined();
      expect(stateOf(sub.events.at(-1))).toBe(TaskState.TASK_STATE_FAILED);
      expect(textOf(sub.events.at(-1))).toBe(ORPHAN_FAILURE_TEXT);
      const stored = await b.handler.getTask({ tenant: '', id: taskId }, ctx);
      expect(stored.status?.message?.parts?.[0]?.content).toEqual({
        $case: 'text',
        value: ORPHAN_FAILURE_TEXT,
      });
      // The recoverer counts the task once it has also published the end and released the
      // lease, which a subscriber does not wait for: check the count after the release.
      await wait(
        async () => (await b.cluster.describeLease(taskId, ctx)) === undefined,
        'the lease to be released',
      );
      await wait(() => recovered(started.workers, 'failed') === 1, 'the recovery to be counted');
      expect(recovered(started.workers, 'failed')).toBe(1);
      // Pushed once, by the recovering worker.
      const pushedFailed = started.workers
        .flatMap((w) => w.pushes)
        .filter((p) => stateOf(p.response) === TaskState.TASK_STATE_FAILED);
      expect(pushedFailed.length).toBe(1);
    });

    it('{ resume }: a live worker takes the task over and runs it to the end; the subscriber ends', async () => {
      const calls: { worker: number; state: number | undefined }[] = [];
      const started = await fixture({
        recovery: (index, workers) => ({
          resume: async (task, context) => {
            calls.push({ worker: index, state: task.status?.state });
            await workers[index]!.handler.sendMessage(
              sendRequest(userMessage('resume', task.id, task.contextId), true),
              context,
            );
          },
        }),
      });
      const { ctx, taskId, sub, wait } = await killMidTask(started);
      await wait(() => calls.length === 1, 'the resume callback');
      const ended = await sub.done;
      expect(ended.error).toBeUndefined();
      expect(calls[0]!.state).toBe(TaskState.TASK_STATE_WORKING);
      const resumer = started.workers[calls[0]!.worker]!;
      expect(resumer.name).not.toBe('A');
      await wait(() => resumer.executor.runOf(taskId) !== undefined, 'the resumed run');
      await wait(
        async () => (await resumer.cluster.describeLease(taskId, ctx))?.self === true,
        'the resumer to hold the lease',
      );
      const run = resumer.executor.runOf(taskId)!;
      for (let step = 0; step < 4; step += 1) run.advance();
      await wait(
        async () =>
          (await resumer.handler.getTask({ tenant: '', id: taskId }, ctx)).status?.state ===
          TaskState.TASK_STATE_COMPLETED,
        'the resumed task to complete',
      );
      await wait(() => recovered(started.workers, 'resumed') === 1, 'the recovery to be counted');
      expect(recovered(started.workers, 'resumed')).toBe(1);
      expect(calls.length).toBe(1);
      await wait(
        async () => (await resumer.cluster.describeLease(taskId, ctx)) === undefined,
        'the lease to be released',
      );
    });

    it("'leave': the task stays as it was, the lease goes and the subscriber's stream ends", async () => {
      const started = await fixture({ recovery: () => 'leave' });
      const { ctx, taskId, sub, wait } = await killMidTask(started);
      const ended = await sub.done;
      expect(ended.error).toBeUndefined();
      const b = started.workers[1]!;
      await wait(() => recovered(started.workers, 'left') === 1, 'the sweep');
      const stored = await b.handler.getTask({ tenant: '', id: taskId }, ctx);
      expect(stored.status?.state).toBe(TaskState.TASK_STATE_WORKING);
      await wait(
        async () => (await b.cluster.describeLease(taskId, ctx)) === undefined,
        'the lease to be released',
      );
    });
  });
}

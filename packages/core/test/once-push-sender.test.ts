import type { StreamResponse, Task } from '@a2a-js/sdk';
import { TaskState } from '@a2a-js/sdk';
import { describe, expect, it } from 'vitest';
import { callContext, makeTask, randomScope } from '../src/conformance/index.js';
import { defaultScopeResolver, OncePushNotificationSender } from '../src/index.js';

function recorder() {
  const sent: StreamResponse[] = [];
  return { sent, sender: { send: async (response: StreamResponse) => void sent.push(response) } };
}

const snapshot = (task: Task): StreamResponse => ({
  payload: { $case: 'task', value: structuredClone(task) },
});

describe('OncePushNotificationSender', () => {
  it('sends one event object once however many consumers hand it over', async () => {
    const { sent, sender } = recorder();
    const once = new OncePushNotificationSender(sender, defaultScopeResolver());
    const ctx = callContext(randomScope());
    const update = {
      taskId: 't',
      contextId: 'c',
      status: { state: TaskState.TASK_STATE_WORKING, message: undefined, timestamp: 'x' },
      metadata: {},
    };
    for (let consumer = 0; consumer < 6; consumer += 1) {
      // Each consumer builds its own StreamResponse around the bus's one event object.
      await once.send({ payload: { $case: 'statusUpdate', value: update } }, ctx);
    }
    const equalButDistinct = structuredClone(update);
    await once.send({ payload: { $case: 'statusUpdate', value: equalButDistinct } }, ctx);
    expect(sent).toHaveLength(2);
  });

  it('recognises reloaded task snapshots by scope, id, state and status time', async () => {
    const { sent, sender } = recorder();
    const once = new OncePushNotificationSender(sender, defaultScopeResolver());
    const [alice, bob] = [callContext(randomScope()), callContext(randomScope())];
    const task = makeTask({ state: TaskState.TASK_STATE_WORKING });
    await once.send(snapshot(task), alice);
    await once.send(snapshot(task), alice);
    await once.send(snapshot(task), bob);
    const later = { ...task, status: { ...task.status!, state: TaskState.TASK_STATE_COMPLETED } };
    await once.send(snapshot(later), alice);
    expect(sent).toHaveLength(3);
  });
});

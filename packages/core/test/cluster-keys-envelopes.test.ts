import { TaskState } from '@a2a-js/sdk';
import { describe, expect, it } from 'vitest';
import { makeTask, rawPart } from '../src/conformance/index.js';
import {
  decodeEnvelope,
  encodeEnvelope,
  leaseKey,
  taskChannel,
  workerChannel,
} from '../src/index.js';

describe('lease keys', () => {
  it('hash tenant, owner and task id unambiguously, with nothing in clear', () => {
    const key = leaseKey({ tenant: 'acme-corp', owner: 'alice@example.com' }, 'task-1');
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain('acme');
    expect(key).not.toContain('alice');
    expect(leaseKey({ tenant: 'acme-corp', owner: 'alice@example.com' }, 'task-1')).toBe(key);
    expect(leaseKey({ tenant: 'a|b', owner: 'c' }, 't')).not.toBe(
      leaseKey({ tenant: 'a', owner: 'b|c' }, 't'),
    );
    expect(leaseKey({ tenant: 'a', owner: '' }, 't')).not.toBe(
      leaseKey({ tenant: '', owner: 'a' }, 't'),
    );
    expect(taskChannel(key)).toBe(`task.${key}`);
    expect(workerChannel('w-1')).toBe('worker.w-1');
  });
});

describe('envelopes', () => {
  it('carry events through the SDK codecs, bytes parts included', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const task = makeTask({ state: TaskState.TASK_STATE_WORKING });
    task.history = [{ ...task.history[0]!, parts: [rawPart(bytes)] }];
    const text = encodeEnvelope({
      v: 1,
      type: 'event',
      exec: 'e1',
      seq: 3,
      event: { kind: 'task', data: task },
    });
    const decoded = decodeEnvelope(text);
    expect(decoded?.type).toBe('event');
    if (decoded?.type !== 'event' || decoded.event.kind !== 'task')
      throw new Error('not a task event');
    expect(decoded.seq).toBe(3);
    const part = decoded.event.data.history[0]!.parts[0]!.content;
    expect(part?.$case).toBe('raw');
    if (part?.$case === 'raw') expect(new Uint8Array(part.value)).toEqual(bytes);
  });

  it('round-trip end, cancel and cancel-result', () => {
    for (const envelope of [
      { v: 1, type: 'end', exec: 'e1', lastState: 3 },
      { v: 1, type: 'end', exec: 'e1' },
      { v: 1, type: 'cancel', requestId: 'r', key: 'k', replyTo: 'w' },
      { v: 1, type: 'cancel-result', requestId: 'r', ok: false, error: 'no-execution' },
    ] as const) {
      expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual(envelope);
    }
  });

  it('reject malformed envelopes instead of throwing', () => {
    for (const bad of [
      'not json',
      'null',
      '[]',
      JSON.stringify({ v: 2, type: 'end', exec: 'e' }),
      JSON.stringify({ v: 1, type: 'end' }),
      JSON.stringify({ v: 1, type: 'end', exec: 'e', lastState: 'x' }),
      JSON.stringify({ v: 1, type: 'event', exec: 'e', seq: 0, event: { kind: 'task', data: {} } }),
      JSON.stringify({
        v: 1,
        type: 'event',
        exec: 'e',
        seq: 1.5,
        event: { kind: 'task', data: {} },
      }),
      JSON.stringify({ v: 1, type: 'event', exec: 'e', seq: 1, event: { kind: 'nope', data: {} } }),
      JSON.stringify({
        v: 1,
        type: 'event',
        exec: 'e',
        seq: 1,
        event: { kind: 'task', data: 'x' },
      }),
      JSON.stringify({ v: 1, type: 'cancel', requestId: 'r', key: 'k' }),
      JSON.stringify({ v: 1, type: 'cancel-result', requestId: 'r', ok: 'yes' }),
      JSON.stringify({ v: 1, type: 'surprise' }),
    ]) {
      expect(decodeEnvelope(bad), bad).toBeUndefined();
    }
  });
});

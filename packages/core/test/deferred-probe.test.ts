import { describe, expect, it } from 'vitest';
import { deferredProbe, type RawProbe } from '../src/conformance/index.js';

const scope = { tenant: 't', owner: 'o' };

describe('deferredProbe', () => {
  it('has every method before anything is loaded, and loads on each call', async () => {
    let current: RawProbe | undefined;
    const loads: string[] = [];
    const probe = deferredProbe(() => {
      loads.push('load');
      if (!current) throw new Error('not connected yet');
      return current;
    });
    expect(Object.keys(probe).sort()).toEqual([
      'corruptPushConfig',
      'corruptTask',
      'readPushConfigsRaw',
      'readTaskRaw',
    ]);
    await expect(probe.readTaskRaw!(scope, 'a')).rejects.toThrow('not connected yet');

    const calls: string[] = [];
    current = {
      async corruptTask(s, taskId) {
        calls.push(`corrupt ${s.tenant}/${s.owner}/${taskId}`);
      },
      async corruptPushConfig(_s, taskId, configId) {
        calls.push(`corrupt config ${taskId}/${configId}`);
      },
      readTaskRaw: async (_s, taskId) => `raw ${taskId}`,
      readPushConfigsRaw: async () => ['1.0\n{}'],
    };
    await probe.corruptTask(scope, 'a');
    await probe.corruptPushConfig!(scope, 'a', 'c1');
    expect(calls).toEqual(['corrupt t/o/a', 'corrupt config a/c1']);
    expect(await probe.readTaskRaw!(scope, 'b')).toBe('raw b');
    expect(await probe.readPushConfigsRaw!(scope, 'b')).toEqual(['1.0\n{}']);
    expect(loads).toHaveLength(5);
  });

  it('awaits an async loader and names a method the loaded probe lacks', async () => {
    const probe = deferredProbe(async () => ({ corruptTask: async () => {} }));
    await expect(probe.corruptTask(scope, 'a')).resolves.toBeUndefined();
    await expect(probe.readPushConfigsRaw!(scope, 'a')).rejects.toThrow(
      'the loaded probe has no readPushConfigsRaw()',
    );
  });
});

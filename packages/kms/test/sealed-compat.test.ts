import { describe, expect, it } from 'vitest';
import { resolveCacheLimits } from '../src/data-key-cache.js';
import { type CachePolicy, DataKeySource } from '../src/data-key-source.js';
import { LocalAesKeyring } from '../src/index.js';
import type { RecordBinding } from '../src/record-binding.js';
import { RecordSealer } from '../src/record-sealer.js';

/**
 * Values sealed by an earlier release (LocalAesKeyring, master key bytes 0..31): the format on
 * disk is fixed, so these must keep opening, with and without the data-key cache.
 */
const MASTER_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const HEAD =
  'a2asealed:v1:AQVsb2NhbAAGZ29sZGVuADwpdQXMRf1emWOR3KPqAlcLcqnYLaTm-_PAREfhdrjDNEgYDTfgDWN4AfKdq3oqk_2JlJ_UAS0W4MR8oq';
const TASK_FIELDS = [
  {
    field: 'history',
    text: `${HEAD}TR0XLwrizo7S_E9a_UFHIQ-ehESY3thSjkLGP9xychm8f9okqbBGmz1V0FmPMBu5E`,
    plaintext: '[{"messageId":"m1"}]',
  },
  {
    field: 'metadata',
    text: `${HEAD}S615U-bTMJzHjXyyuAXg06X94S1JUIfW-qDR3YEZ6XVJfbaQ`,
    plaintext: '{"a":1}',
  },
];
const PUSH_TOKEN =
  'a2asealed:v1:AQVsb2NhbAAGZ29sZGVuADyMNth_eJhB7VNJW1F1cQzycf17AFSVP-FnczqaiPkMN671H2qZWEy_qFgXlMu8setV7Ebz6gJfU0dZziPYaw3fsm49BOXwITJgL8Q56fZsQ5kH7no4rcaWIktCq12j';

const scope = { tenant: 'acme', owner: 'alice' };
const task: RecordBinding = { kind: 'task', scope, taskId: 'task-1', configId: '' };
const push: RecordBinding = { kind: 'push-config', scope, taskId: 'task-1', configId: 'cfg-1' };

function sealer(cache: boolean): RecordSealer {
  const keyring = new LocalAesKeyring({ keys: { golden: MASTER_KEY }, primary: 'golden' });
  const policy: CachePolicy | undefined = cache
    ? { limits: resolveCacheLimits({}), encrypt: true, decrypt: true }
    : undefined;
  return new RecordSealer(new DataKeySource(keyring, policy));
}

describe('sealed values of earlier releases', () => {
  for (const cache of [false, true]) {
    it(`open unchanged (cache ${cache ? 'on' : 'off'})`, async () => {
      const records = sealer(cache);
      try {
        for (let read = 0; read < 2; read++) {
          const opened = await records.open(task, TASK_FIELDS);
          expect(opened.map((b) => b.toString('utf8'))).toEqual(
            TASK_FIELDS.map((f) => f.plaintext),
          );
          const [token] = await records.open(push, [
            { field: 'token', text: PUSH_TOKEN, extra: 'https://hooks.example/a' },
          ]);
          expect(token!.toString('utf8')).toBe('tok-ü');
        }
      } finally {
        records.keys.wipe();
      }
    });
  }

  it('stay bound to their record, field and URL', async () => {
    const records = sealer(true);
    const [history, metadata] = TASK_FIELDS;
    const moved = [{ field: 'metadata', text: history!.text }];
    await expect(records.open(task, moved)).rejects.toThrow(/does not open/);
    await expect(records.open({ ...task, taskId: 'task-2' }, [metadata!])).rejects.toThrow();
    await expect(
      records.open(push, [{ field: 'token', text: PUSH_TOKEN, extra: 'https://hooks.example/b' }]),
    ).rejects.toThrow(/does not open/);
    records.keys.wipe();
  });
});

import type { PushNotificationStore, TaskStore } from '@a2a-js/sdk/server';
import {
  generateLocalMasterKey,
  LocalAesKeyring,
  TASK_FIELDS,
  withEnvelopeEncryption,
} from '@a2a-stores/kms';
import type { Subject } from '../subject.js';

/** The inner adapter's stores, shared with its own subject (so both hit the same tables). */
export interface KmsInner {
  readonly name: string;
  readonly taskStore: TaskStore;
  readonly pushNotificationStore: PushNotificationStore;
}

/**
 * Data keys the cache-on subject keeps per side. The default (1000) is smaller than the scope a
 * run seeds (10 000 tasks by default, `--scope-size` more), so least-recently-used eviction would
 * turn its reads into keyring unwraps; this is the library's upper bound, room for any scope.
 */
const CACHE_MAX_ENTRIES = 1_000_000;

/**
 * Age limit of the cache-on subject's keys: seeding a large scope outlasts the default 60 s, which
 * would expire the keys of the seeded records before the timed runs read them.
 */
const CACHE_MAX_AGE_MS = 60 * 60 * 1000;

/** What the KMS subjects seal, and their cache, for the report. */
export const KMS_SETTINGS =
  'KMS wrapper: LocalAesKeyring, push token + credentials and every task field (history, artifacts, metadata, status message) sealed; ' +
  `cache on: default limits but maxEntries ${CACHE_MAX_ENTRIES} per side and maxAgeMs ${CACHE_MAX_AGE_MS}, so every record of the seeded scope stays cached`;

function kmsSubject(inner: KmsInner, backend: string, cache: boolean): Subject {
  const keyring = new LocalAesKeyring({
    keys: { bench: generateLocalMasterKey() },
    primary: 'bench',
  });
  // The inner stores are passed without `close`: the inner adapter's own subject closes them.
  const wrapped = withEnvelopeEncryption(
    { taskStore: inner.taskStore, pushNotificationStore: inner.pushNotificationStore },
    {
      keyring,
      taskFields: TASK_FIELDS,
      ...(cache ? { cache: { maxEntries: CACHE_MAX_ENTRIES, maxAgeMs: CACHE_MAX_AGE_MS } } : {}),
    },
  );
  return {
    name: `kms(${backend}), cache ${cache ? 'on' : 'off'}`,
    role: 'wrapper',
    taskStore: wrapped.taskStore,
    pushStore: wrapped.pushNotificationStore,
    wraps: { inner: inner.name, cache },
    close: async () => {
      await wrapped.close();
      keyring.close();
    },
  };
}

/**
 * `withEnvelopeEncryption` over `inner`, twice: cache off (a keyring unwrap per record read, a
 * fresh data key per write) and cache on (default limits but {@link CACHE_MAX_ENTRIES} and {@link CACHE_MAX_AGE_MS}: reads of
 * a record written or read before, and rewrites of the same record, hit the cache).
 */
export function kmsSubjects(inner: KmsInner, backend: string): Subject[] {
  return [kmsSubject(inner, backend, false), kmsSubject(inner, backend, true)];
}

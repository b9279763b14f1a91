import type { PushNotificationStore, TaskStore } from '@a2a-js/sdk/server';
import {
  generateLocalMasterKey,
  LocalAesKeyring,
  TASK_FIELDS,
  withEnvelopeEncryption,
} from '@a2a-stores/kms';
import type { Subject } from '../subject.js';
import { AesGcmFloorTaskStore } from './aes-gcm-floor.js';

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
  `cache on: default limits but maxEntries ${CACHE_MAX_ENTRIES} per side and maxAgeMs ${CACHE_MAX_AGE_MS}, so every record of the seeded scope stays cached; ` +
  'aes-gcm floor: one AES-256-GCM envelope per record (history, metadata and status message together; artifacts apart) under a fixed key, no keyring, no binding, tasks only';

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

function aesGcmFloorSubject(inner: KmsInner, backend: string): Subject {
  return {
    name: `aes-gcm floor(${backend})`,
    role: 'wrapper',
    taskStore: new AesGcmFloorTaskStore(inner.taskStore),
    wraps: { inner: inner.name, cache: false, floor: true },
    // The inner adapter's own subject closes the inner stores; the floor holds nothing else.
    close: async () => {},
  };
}

/**
 * `withEnvelopeEncryption` over `inner`, twice: cache off (a keyring unwrap per record read, a
 * fresh data key per write) and cache on (default limits but {@link CACHE_MAX_ENTRIES} and
 * {@link CACHE_MAX_AGE_MS}: reads of a record written or read before, and rewrites of the same
 * record, hit the cache); then the AES-GCM floor over the same inner store, which prices the
 * cryptography alone.
 */
export function kmsSubjects(inner: KmsInner, backend: string): Subject[] {
  return [
    kmsSubject(inner, backend, false),
    kmsSubject(inner, backend, true),
    aesGcmFloorSubject(inner, backend),
  ];
}

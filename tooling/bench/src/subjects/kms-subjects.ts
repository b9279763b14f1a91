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

/** What the KMS subjects seal, for the report. */
export const KMS_SETTINGS =
  'KMS wrapper: LocalAesKeyring, push token + credentials and every task field (history, artifacts, metadata, status message) sealed';

function kmsSubject(inner: KmsInner, backend: string, cache: boolean): Subject {
  const keyring = new LocalAesKeyring({
    keys: { bench: generateLocalMasterKey() },
    primary: 'bench',
  });
  // The inner stores are passed without `close`: the inner adapter's own subject closes them.
  const wrapped = withEnvelopeEncryption(
    { taskStore: inner.taskStore, pushNotificationStore: inner.pushNotificationStore },
    { keyring, taskFields: TASK_FIELDS, ...(cache ? { cache: true } : {}) },
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
 * fresh data key per write) and cache on (the library's default limits: reads of a record written
 * or read before, and rewrites of the same record, hit the cache).
 */
export function kmsSubjects(inner: KmsInner, backend: string): Subject[] {
  return [kmsSubject(inner, backend, false), kmsSubject(inner, backend, true)];
}

export { translateKmsError } from './aws-kms-errors.js';
export { AwsKmsKeyring, type AwsKmsKeyringOptions } from './aws-kms-keyring.js';
export type { DataKeyCacheOptions } from './data-key-cache.js';
export { EncryptedPushNotificationStore } from './encrypted-push-store.js';
export { EncryptedTaskStore } from './encrypted-task-store.js';
export { RECORD_PREFIX, SEALED_PREFIX } from './envelope-format.js';
export {
  DecryptionError,
  KeyringError,
  type KeyringFailure,
  KmsUnavailableError,
  PlaintextRefusedError,
} from './errors.js';
export {
  type DataKey,
  DataKeyUnwrapError,
  type EncryptionContext,
  type Keyring,
  type WrappedDataKey,
} from './keyring.js';
export {
  generateLocalMasterKey,
  LocalAesKeyring,
  type LocalAesKeyringOptions,
} from './local-aes-keyring.js';
export { MultiKeyring, type MultiKeyringOptions } from './multi-keyring.js';
export type {
  EnvelopeEncryptionOptions,
  EnvelopeHooks,
  EnvelopeMode,
  PlaintextReadEvent,
} from './options.js';
export { SEALED_MARKER } from './reserved-ids.js';
export {
  type RotateKeysOptions,
  type RotationCheckpoint,
  type RotationFailure,
  type RotationProgress,
  rotateKeys,
} from './rotation.js';
export { defaultScopeContext, type ScopeContextFactory } from './rotation-context.js';
export { TASK_FIELDS, type TaskField } from './task-fields.js';
export {
  type EncryptableStores,
  type EncryptedStoreBundle,
  withEnvelopeEncryption,
} from './with-envelope-encryption.js';

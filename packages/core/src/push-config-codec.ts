import { TaskPushNotificationConfig } from '@a2a-js/sdk';
import { CorruptRecordError, InvalidInputError } from './errors.js';
import { assertSize, assertValidId } from './limits.js';
import { assertHeaderSafePushAuth } from './push-url/header-safety.js';
import { parseStoredJson } from './stored-json.js';

/** A push config in the shape every backend stores. */
export interface EncodedPushConfig {
  readonly id: string;
  /** JSON (SDK wire form) of the config. */
  readonly json: string;
  /** A2A wire version the config was registered over (`'0.3'`, `'1.0'`). */
  readonly wireVersion: string;
}

/** Validates and encodes a push config whose id has already been assigned. */
export function encodePushConfig(
  config: TaskPushNotificationConfig,
  wireVersion: string,
  maxBytes: number,
): EncodedPushConfig {
  assertValidId(config.id, 'pushNotificationConfig.id');
  if (typeof config.url !== 'string' || config.url.length === 0) {
    throw new InvalidInputError('pushNotificationConfig.url must be a non-empty string');
  }
  assertHeaderSafePushAuth(config);
  let json: string;
  try {
    json = JSON.stringify(TaskPushNotificationConfig.toJSON(config));
  } catch (error) {
    throw new InvalidInputError(`push config cannot be serialised: ${(error as Error).message}`);
  }
  assertSize(`push config ${JSON.stringify(config.id)}`, Buffer.byteLength(json), maxBytes);
  return { id: config.id, json, wireVersion };
}

/** Decodes a stored push config; `CorruptRecordError` when unreadable or under another id. */
export function decodePushConfig(expectedId: string, json: unknown): TaskPushNotificationConfig {
  const value = parseStoredJson(json, expectedId, 'push config is');
  if (!value || typeof value !== 'object' || (value as { id?: unknown }).id !== expectedId) {
    throw new CorruptRecordError(expectedId, 'push config is not an object with the expected id');
  }
  return TaskPushNotificationConfig.fromJSON(value);
}

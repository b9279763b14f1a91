import type { TaskPushNotificationConfig } from '@a2a-js/sdk';
import type { Scope } from '@a2a-stores/core';
import { looksSealed } from './envelope-format.js';
import { PlaintextRefusedError } from './errors.js';
import type { RecordBinding } from './record-binding.js';
import type { RecordSealer, SealedField } from './record-sealer.js';

/** The push config fields that are always sealed: both are bearer credentials. */
export type PushSecretField = 'token' | 'credentials';

export function pushBinding(scope: Scope, taskId: string, configId: string): RecordBinding {
  return { kind: 'push-config', scope, taskId, configId };
}

/**
 * What a secret is bound to besides its record and URL (format v2 on): the credentials to their
 * `authentication.scheme`, so a stored scheme changed without the wrapper does not open.
 */
function bindOf(config: TaskPushNotificationConfig, field: PushSecretField): readonly string[] {
  return field === 'credentials' ? [config.authentication?.scheme ?? ''] : [];
}

/** The secrets a config carries, in a fixed order. Empty values carry nothing and stay empty. */
function secretsOf(
  config: TaskPushNotificationConfig,
): { field: PushSecretField; value: string }[] {
  const secrets: { field: PushSecretField; value: string }[] = [];
  if (typeof config.token === 'string' && config.token !== '') {
    secrets.push({ field: 'token', value: config.token });
  }
  const credentials = config.authentication?.credentials;
  if (typeof credentials === 'string' && credentials !== '') {
    secrets.push({ field: 'credentials', value: credentials });
  }
  return secrets;
}

/** The sealed secrets of a config read from the inner store. */
export function sealedSecretsOf(
  config: TaskPushNotificationConfig,
): { field: PushSecretField; text: string }[] {
  return secretsOf(config)
    .filter(({ value }) => looksSealed(value))
    .map(({ field, value }) => ({ field, text: value }));
}

/** The config with the given secrets replaced (by sealed or opened values). */
export function withSecrets(
  config: TaskPushNotificationConfig,
  values: ReadonlyMap<PushSecretField, string>,
): TaskPushNotificationConfig {
  const token = values.get('token');
  const credentials = values.get('credentials');
  return {
    ...config,
    ...(token === undefined ? {} : { token }),
    ...(credentials === undefined || !config.authentication
      ? {}
      : { authentication: { ...config.authentication, credentials } }),
  };
}

/**
 * The config as the inner store must hold it: `token` and `authentication.credentials` sealed,
 * each bound to the scope, task, config id, field and webhook URL. `config.id` must be set.
 * `beforeKeyring` runs before a keyring call (not on a cache hit), to refuse bad input first.
 */
export async function sealPushConfig(
  sealer: RecordSealer,
  scope: Scope,
  taskId: string,
  config: TaskPushNotificationConfig,
  beforeKeyring?: () => Promise<void>,
): Promise<TaskPushNotificationConfig> {
  const secrets = secretsOf(config);
  if (secrets.length === 0) return config;
  const binding = pushBinding(scope, taskId, config.id);
  const plain = secrets.map(({ field, value }) => ({
    field,
    plaintext: Buffer.from(value, 'utf8'),
    extra: config.url,
    bind: bindOf(config, field),
  }));
  let sealed: string[];
  const cached = sealer.sealCached(binding, plain);
  if (cached) sealed = cached;
  else {
    await beforeKeyring?.();
    sealed = await sealer.seal(binding, plain);
  }
  return withSecrets(config, new Map(secrets.map(({ field }, i) => [field, sealed[i]!])));
}

/** The config with its secrets opened; plaintext secrets are refused (strict) or reported. */
export async function openPushConfig(
  sealer: RecordSealer,
  scope: Scope,
  taskId: string,
  config: TaskPushNotificationConfig,
  strict: boolean,
  onPlaintext: (scope: Scope, recordId: string, field: string) => void,
): Promise<TaskPushNotificationConfig> {
  const sealed: (SealedField & { field: PushSecretField })[] = [];
  for (const { field, value } of secretsOf(config)) {
    if (looksSealed(value)) {
      sealed.push({ field, text: value, extra: config.url, bind: bindOf(config, field) });
    } else if (strict) throw new PlaintextRefusedError(config.id, field);
    else onPlaintext(scope, config.id, field);
  }
  if (sealed.length === 0) return config;
  const opened = await sealer.open(pushBinding(scope, taskId, config.id), sealed);
  return withSecrets(
    config,
    new Map(sealed.map(({ field }, i) => [field, opened[i]!.toString('utf8')])),
  );
}

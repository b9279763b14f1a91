import { randomBytes } from 'node:crypto';
import { type EndpointKeyInfo, KeyRegistry, type KeyState } from './key-registry.js';
import {
  type EndpointCredentials,
  type EndpointRequest,
  type KmsEndpointOptions,
  KmsEndpointServer,
  type OutageMode,
} from './kms-endpoint.js';
import { KMS_OPERATIONS, type KmsOperation } from './operations.js';

/**
 * A local AWS KMS endpoint for tests: speaks the KMS JSON 1.1 protocol over HTTP on 127.0.0.1,
 * so the real `@aws-sdk/client-kms` can be pointed at it (`endpoint: kms.url`) with static
 * credentials. Keys hold real AES-256 material; the encryption context is bound to every
 * ciphertext; SigV4 signatures are verified in full.
 */
export interface KmsEndpoint {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
  /** The credentials every endpoint starts with (add more with {@link addCredentials}). */
  readonly credentials: EndpointCredentials;
  /** Creates an enabled symmetric key (and its alias, when given: `alias/<name>`). */
  createKey(options?: { readonly alias?: string; readonly description?: string }): EndpointKeyInfo;
  createAlias(alias: string, keyRef: string): void;
  /** Sets a key's state: `Disabled` answers DisabledException, `PendingDeletion` KMSInvalidState. */
  setKeyState(keyRef: string, state: KeyState): void;
  /** Refuses a caller (`'*'`: everyone) the key with AccessDeniedException. */
  denyAccess(keyRef: string, accessKeyId?: string): void;
  allowAccess(keyRef: string, accessKeyId?: string): void;
  addCredentials(): EndpointCredentials;
  /** Requests received for `operation` (every operation when omitted), answered or failed. */
  requestCount(operation?: KmsOperation): number;
  /** Every request the endpoint answered or failed, oldest first. */
  readonly requests: readonly EndpointRequest[];
  resetCounts(): void;
  /** Switches an outage on (`'http-500'`, `'connection-reset'`) or off (`undefined`). */
  setOutage(mode: OutageMode | undefined): void;
  /** Stops listening (clients see connection refused) until {@link start}. */
  stop(): Promise<void>;
  /** Listens again, on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

function newCredentials(): EndpointCredentials {
  return {
    accessKeyId: `AKIATEST${randomBytes(6).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
}

/**
 * Starts a {@link KmsEndpoint} on a free loopback port.
 *
 * @example
 * ```ts
 * import { KMSClient } from '@aws-sdk/client-kms';
 * import { startKmsEndpoint } from '@a2a-stores/kms-endpoint';
 * const kms = await startKmsEndpoint();
 * const key = kms.createKey({ alias: 'alias/test' });
 * const client = new KMSClient({ endpoint: kms.url, region: kms.region, credentials: kms.credentials });
 * ```
 */
export async function startKmsEndpoint(options: KmsEndpointOptions = {}): Promise<KmsEndpoint> {
  const registry = new KeyRegistry(
    options.region ?? 'us-east-1',
    options.accountId ?? '111122223333',
  );
  const server = new KmsEndpointServer(registry);
  const addCredentials = (): EndpointCredentials => {
    const credentials = newCredentials();
    server.secrets.set(credentials.accessKeyId, credentials.secretAccessKey);
    return credentials;
  };
  const credentials = addCredentials();
  await server.listen();
  const url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    port: server.port,
    region: registry.region,
    accountId: registry.accountId,
    credentials,
    createKey({ alias, description } = {}) {
      const key = registry.create(description);
      if (alias !== undefined) registry.addAlias(alias, key.id);
      return { keyId: key.id, arn: key.arn };
    },
    createAlias: (alias, keyRef) => registry.addAlias(alias, keyRef),
    setKeyState(keyRef, state) {
      registry.resolve(keyRef).state = state;
    },
    denyAccess(keyRef, accessKeyId = '*') {
      registry.resolve(keyRef).deniedAccessKeys.add(accessKeyId);
    },
    allowAccess(keyRef, accessKeyId = '*') {
      registry.resolve(keyRef).deniedAccessKeys.delete(accessKeyId);
    },
    addCredentials,
    requestCount(operation) {
      return operation === undefined
        ? server.log.length
        : server.log.filter((entry) => entry.operation === operation).length;
    },
    get requests() {
      return server.log;
    },
    resetCounts() {
      server.log.length = 0;
    },
    setOutage(mode) {
      if (mode !== undefined && mode !== 'http-500' && mode !== 'connection-reset') {
        throw new TypeError(`Unknown outage mode ${String(mode)}`);
      }
      server.outage = mode;
    },
    stop: () => server.stop(),
    start: () => server.listen(),
    close: () => server.stop(),
  };
}

export { KMS_OPERATIONS };

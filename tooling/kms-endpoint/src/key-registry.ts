import { randomBytes, randomUUID } from 'node:crypto';
import { KmsFault, notFound } from './kms-fault.js';

/** The key states the endpoint models (the ones KMS callers can observe on these operations). */
export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

/** A symmetric KMS key held by the endpoint, with real 256-bit key material. */
export interface EndpointKey {
  /** Key id (a UUID), as KMS returns in `KeyMetadata.KeyId`. */
  readonly id: string;
  readonly arn: string;
  readonly material: Buffer;
  readonly createdAt: Date;
  readonly description: string;
  state: KeyState;
  /** Access key ids refused with AccessDeniedException (`'*'` refuses every caller). */
  readonly deniedAccessKeys: Set<string>;
}

/** Public facts about a key, for tests. */
export interface EndpointKeyInfo {
  readonly keyId: string;
  readonly arn: string;
}

const ALIAS_PREFIX = 'alias/';

/** Keys and aliases of one region/account, resolvable by every spelling KMS accepts. */
export class KeyRegistry {
  readonly region: string;
  readonly accountId: string;
  readonly #keys = new Map<string, EndpointKey>();
  readonly #aliases = new Map<string, string>();

  constructor(region: string, accountId: string) {
    this.region = region;
    this.accountId = accountId;
  }

  create(description = ''): EndpointKey {
    const id = randomUUID();
    const key: EndpointKey = {
      id,
      arn: `arn:aws:kms:${this.region}:${this.accountId}:key/${id}`,
      material: randomBytes(32),
      createdAt: new Date(),
      description,
      state: 'Enabled',
      deniedAccessKeys: new Set(),
    };
    this.#keys.set(id, key);
    return key;
  }

  addAlias(alias: string, keyRef: string): void {
    if (!alias.startsWith(ALIAS_PREFIX) || alias.length <= ALIAS_PREFIX.length) {
      throw new KmsFault('ValidationException', `Alias must start with ${ALIAS_PREFIX}`);
    }
    if (this.#aliases.has(alias)) throw new KmsFault('AlreadyExistsException', `${alias} exists`);
    this.#aliases.set(alias, this.resolve(keyRef).id);
  }

  /** The key by id (UUID) only, as ciphertext blobs name it. */
  byId(id: string): EndpointKey | undefined {
    return this.#keys.get(id);
  }

  /**
   * Resolves a key id, key ARN, alias name or alias ARN. An ARN of another region or account is
   * not found, as in KMS.
   */
  resolve(ref: unknown): EndpointKey {
    if (typeof ref !== 'string' || ref.length === 0) {
      throw new KmsFault('ValidationException', 'KeyId must be a non-empty string');
    }
    let name = ref;
    if (ref.startsWith('arn:')) {
      const prefix = `arn:aws:kms:${this.region}:${this.accountId}:`;
      if (!ref.startsWith(prefix)) throw notFound(`Key '${ref}'`);
      name = ref.slice(prefix.length);
      if (name.startsWith('key/')) name = name.slice('key/'.length);
      else if (!name.startsWith(ALIAS_PREFIX)) throw notFound(`Key '${ref}'`);
    }
    const id = name.startsWith(ALIAS_PREFIX) ? this.#aliases.get(name) : name;
    const key = id === undefined ? undefined : this.#keys.get(id);
    if (!key) throw notFound(`Key '${ref}'`);
    return key;
  }
}

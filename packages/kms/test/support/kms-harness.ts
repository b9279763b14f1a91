import type { CoreStoreOptions } from '@a2a-stores/core';
import type { HarnessStores, StoreHarness } from '@a2a-stores/core/conformance';
import {
  type EncryptedStoreBundle,
  type EnvelopeEncryptionOptions,
  type EnvelopeHooks,
  type Keyring,
  withEnvelopeEncryption,
} from '../../src/index.js';

/** Wrapper options of a harness (the keyring and hooks are supplied per store). */
export type KmsHarnessOptions = Omit<EnvelopeEncryptionOptions, 'keyring' | 'hooks'>;

/** Stores opened by {@link KmsHarness.openEncrypted}: the wrapper and the inner stores. */
export interface EncryptedHarnessStores {
  readonly encrypted: EncryptedStoreBundle;
  readonly inner: HarnessStores;
  close(): Promise<void>;
}

/** A conformance harness over the wrapper, plus direct access to what the inner store holds. */
export interface KmsHarness extends StoreHarness {
  readonly inner: StoreHarness;
  readonly keyring: Keyring;
  readonly options: KmsHarnessOptions;
  /**
   * The wrapper over a fresh inner store of the harness; `wrapper` options override the
   * harness's (a different keyring, migration mode, hooks).
   */
  openEncrypted(
    storeOptions?: CoreStoreOptions,
    wrapper?: Partial<EnvelopeEncryptionOptions>,
  ): Promise<EncryptedHarnessStores>;
}

/**
 * Runs any adapter's conformance harness through `withEnvelopeEncryption`: the suite sees the
 * wrapper; probes and `inner` see what the adapter really stores. Adding an adapter is
 * `runStoreConformance(kmsHarness(postgresHarness, keyring, options))` (and
 * `runEnvelopeChecks` from `envelope-checks.ts` for the sealing checks).
 */
export function kmsHarness(
  inner: StoreHarness,
  keyring: Keyring,
  options: KmsHarnessOptions = {},
): KmsHarness {
  const describeFields = options.taskFields?.length
    ? `push secrets + ${options.taskFields.join(', ')}`
    : 'push secrets';
  async function openEncrypted(
    storeOptions: CoreStoreOptions = {},
    wrapper: Partial<EnvelopeEncryptionOptions> = {},
  ): Promise<EncryptedHarnessStores> {
    const stores = await inner.create(storeOptions);
    const hooks: EnvelopeHooks | undefined = wrapper.hooks ?? storeOptions.hooks;
    const encrypted = withEnvelopeEncryption(stores, {
      ...options,
      keyring,
      ...wrapper,
      ...(hooks ? { hooks } : {}),
    });
    return { encrypted, inner: stores, close: () => encrypted.close() };
  }
  return {
    name: `${inner.name} + envelope encryption (${describeFields}${options.cache ? ', cached' : ''})`,
    inner,
    keyring,
    options,
    openEncrypted,
    async create(storeOptions) {
      const { encrypted } = await openEncrypted(storeOptions);
      return {
        taskStore: encrypted.taskStore,
        pushNotificationStore: encrypted.pushNotificationStore,
        close: () => encrypted.close(),
      };
    },
    ...(inner.destroy ? { destroy: () => inner.destroy!() } : {}),
    ...(inner.unsupported ? { unsupported: inner.unsupported } : {}),
    ...(inner.probe ? { probe: inner.probe } : {}),
  };
}

import { randomBytes } from 'node:crypto';
import {
  type DataKey,
  type EncryptionContext,
  type Keyring,
  LocalAesKeyring,
  type WrappedDataKey,
} from '../../src/index.js';

/** A local keyring that counts its calls, to prove which paths reach the keyring at all. */
export class CountingKeyring implements Keyring {
  readonly inner = new LocalAesKeyring({ keys: { k: randomBytes(32) }, primary: 'k' });
  calls = 0;
  generateDataKey(context: EncryptionContext): Promise<DataKey> {
    this.calls++;
    return this.inner.generateDataKey(context);
  }
  wrapDataKey(plaintext: Buffer, context: EncryptionContext): Promise<WrappedDataKey> {
    this.calls++;
    return this.inner.wrapDataKey(plaintext, context);
  }
  canUnwrap(wrapped: WrappedDataKey): boolean {
    return this.inner.canUnwrap(wrapped);
  }
  unwrapDataKey(wrapped: WrappedDataKey, context: EncryptionContext): Promise<Buffer> {
    this.calls++;
    return this.inner.unwrapDataKey(wrapped, context);
  }
  rewrapDataKey(wrapped: WrappedDataKey, context: EncryptionContext): Promise<WrappedDataKey> {
    this.calls++;
    return this.inner.rewrapDataKey(wrapped, context);
  }
  isPrimary(wrapped: WrappedDataKey): Promise<boolean> {
    return this.inner.isPrimary(wrapped);
  }
}

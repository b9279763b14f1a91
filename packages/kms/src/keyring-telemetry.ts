import { countTelemetry, errorTypeOf, tracedCall } from '@a2a-stores/core';

/** What the wrapper asks of a keyring, as `a2a_stores.kms.operation`. */
export type KeyringOperation = 'generate_data_key' | 'unwrap_data_key' | 'rewrap_data_key';

/**
 * A keyring call in a client span, counted by operation and failure type. The master key id and
 * the encryption context (which names the tenant and owner) stay out of the attributes.
 */
export function keyringCall<T>(operation: KeyringOperation, call: () => Promise<T>): Promise<T> {
  const attributes = { 'a2a_stores.kms.operation': operation };
  return tracedCall(`kms ${operation}`, attributes, call).then(
    (value) => {
      countTelemetry('keyringCalls', 1, attributes);
      return value;
    },
    (error: unknown) => {
      countTelemetry('keyringCalls', 1, { ...attributes, 'error.type': errorTypeOf(error) });
      throw error;
    },
  );
}

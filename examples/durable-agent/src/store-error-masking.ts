import { A2AError } from '@a2a-js/sdk/errors';
import { StoreError, type StoreErrorCode } from '@a2a-stores/core';
import type { AgentLogger } from './logger.js';

/**
 * Store failures that say something about the infrastructure (which database, where, what broke)
 * rather than about the caller's request. The SDK answers any non-A2A error with its message, so
 * these are replaced by a generic error before they reach a client.
 */
const INFRASTRUCTURE_CODES = new Set<StoreErrorCode>([
  'STORE_UNAVAILABLE',
  'STORE_CONFIGURATION',
  'STORE_CLOSED',
  'SCHEMA_NOT_MIGRATED',
  'CORRUPT_RECORD',
  'DECRYPTION_FAILED',
  'PLAINTEXT_REFUSED',
  'KEY_UNAVAILABLE',
  'KMS_UNAVAILABLE',
]);

/** What a client sees instead: retryable, and naming nothing behind the agent. */
export class StorageUnavailableError extends A2AError {
  constructor() {
    super('Task storage is temporarily unavailable; retry later');
  }
}

function mask(error: unknown, operation: string, logger: AgentLogger): never {
  if (error instanceof StoreError && INFRASTRUCTURE_CODES.has(error.code)) {
    // The operator keeps the detail; the client gets none of it.
    logger.error('store call failed', { operation, code: error.code, error: error.message });
    throw new StorageUnavailableError();
  }
  throw error;
}

/**
 * Wraps a store so that infrastructure failures reach the SDK as {@link StorageUnavailableError}
 * (JSON-RPC -32603 with a generic message) instead of the driver's text (host, port, database
 * kind). Input errors and the SDK's own errors pass through unchanged.
 */
export function maskStoreErrors<T extends object>(store: T, logger: AgentLogger): T {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result = value.apply(target, args);
          return result instanceof Promise
            ? result.catch((error: unknown) => mask(error, String(property), logger))
            : result;
        } catch (error) {
          mask(error, String(property), logger);
        }
      };
    },
  });
}

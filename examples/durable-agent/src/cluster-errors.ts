import { A2AError } from '@a2a-js/sdk/errors';
import type { A2ARequestHandler } from '@a2a-js/sdk/server';
import { CoordinationUnavailableError } from '@a2a-stores/core';
import type { AgentLogger } from './logger.js';

/** What a client reads when a call needs another worker and the workers cannot reach each other. */
export const CLUSTER_UNAVAILABLE_MESSAGE =
  'The agent cannot reach the worker running this task right now; retry later';

/**
 * The client's answer for core's `CoordinationUnavailableError`: REST 503 (the SDK honours
 * `statusCode` on errors marked `transport: 'rest'`), JSON-RPC -32603 with a message that says to
 * retry, and no word about the backend behind the agent.
 */
export class ClusterUnavailableError extends A2AError {
  readonly transport = 'rest';
  readonly statusCode = 503;
  constructor() {
    super(CLUSTER_UNAVAILABLE_MESSAGE);
    this.name = 'ClusterUnavailableError';
  }
}

// The two calls that answer as a stream; every other method returns a promise.
const STREAMING = new Set<PropertyKey>(['sendMessageStream', 'resubscribe']);

function translate(error: unknown, method: string, logger: AgentLogger): unknown {
  if (!(error instanceof CoordinationUnavailableError)) return error;
  // The operator keeps the reason (which channel, which call); the client gets none of it.
  logger.warn('cross-worker call refused: coordination unavailable', {
    method,
    error: error.message,
  });
  return new ClusterUnavailableError();
}

async function* translateStream<T>(
  stream: AsyncGenerator<T>,
  method: string,
  logger: AgentLogger,
): AsyncGenerator<T> {
  try {
    yield* stream;
  } catch (error) {
    throw translate(error, method, logger);
  }
}

/**
 * Wraps the cluster's request handler so that a cross-worker call refused because the workers
 * cannot reach each other (core's `CoordinationUnavailableError`, a `StoreUnavailableError`
 * kind the SDK would answer as an internal error with the backend's text) reaches the client as
 * {@link ClusterUnavailableError}. Everything else passes through unchanged.
 */
export function mapClusterErrors<T extends A2ARequestHandler>(handler: T, logger: AgentLogger): T {
  return new Proxy(handler, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = String(property);
      if (STREAMING.has(property)) {
        return (...args: unknown[]) =>
          translateStream(value.apply(target, args) as AsyncGenerator<unknown>, method, logger);
      }
      return (...args: unknown[]) => {
        const result = value.apply(target, args);
        return result instanceof Promise
          ? result.catch((error: unknown) => {
              throw translate(error, method, logger);
            })
          : result;
      };
    },
  });
}

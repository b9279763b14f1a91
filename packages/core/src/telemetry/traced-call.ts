import { currentInstruments } from './instruments.js';
import type { TelemetryAttributes } from './otel-api.js';

// Values of the API's SpanKind and SpanStatusCode enums, stable since 1.0.
const SPAN_KIND_INTERNAL = 0;
const SPAN_KIND_CLIENT = 2;
const STATUS_ERROR = 2;

/**
 * `error.type` of a failure: the typed error's class name (`VersionConflictError`, a driver's
 * error class). Never the message: driver messages can quote the values of a row.
 */
export function errorTypeOf(error: unknown): string {
  if (error instanceof Error) {
    const name = error.constructor?.name;
    return name && name !== 'Object' ? name : error.name || 'Error';
  }
  return '_OTHER';
}

export interface TracedCallOptions {
  /** `client` for a call to a database or remote service (the default), else `internal`. */
  readonly kind?: 'client' | 'internal';
  /** Also record `db.client.operation.duration` with the span's attributes. */
  readonly recordDuration?: boolean;
  /**
   * Start a new trace instead of joining the active context: for calls made on timers (lease
   * renewals, sweeps), whose context is the request that happened to start the timer long ago.
   */
  readonly root?: boolean;
}

/**
 * Runs `fn` inside a span that joins the caller's active context, so the database driver's own
 * spans (if instrumented) nest under it. Without `@opentelemetry/api` it is just `fn()`.
 */
export function tracedCall<T>(
  spanName: string,
  attributes: TelemetryAttributes,
  fn: () => Promise<T>,
  options: TracedCallOptions = {},
): Promise<T> {
  const instruments = currentInstruments();
  if (!instruments?.live) return fn();
  const { api, tracer, duration } = instruments;
  // An API object without ROOT_CONTEXT (a hand-made one) keeps joining the active context.
  const parent = (options.root && api.ROOT_CONTEXT) || api.context.active();
  const span = tracer.startSpan(
    spanName,
    { kind: options.kind === 'internal' ? SPAN_KIND_INTERNAL : SPAN_KIND_CLIENT, attributes },
    parent,
  );
  const started = performance.now();
  const finish = (error: unknown): void => {
    let errorType: string | undefined;
    if (error !== undefined) {
      errorType = errorTypeOf(error);
      span.setAttribute('error.type', errorType);
      span.setStatus({ code: STATUS_ERROR });
    }
    span.end();
    if (options.recordDuration) {
      const seconds = (performance.now() - started) / 1000;
      duration.record(
        seconds,
        errorType === undefined ? attributes : { ...attributes, 'error.type': errorType },
      );
    }
  };
  let result: Promise<T>;
  try {
    result = api.context.with(api.trace.setSpan(parent, span), fn);
  } catch (error) {
    finish(error);
    return Promise.reject(error);
  }
  return result.then(
    (value) => {
      finish(undefined);
      return value;
    },
    (error: unknown) => {
      finish(error);
      throw error;
    },
  );
}

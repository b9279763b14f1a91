import { createRequire } from 'node:module';

/** The attribute values a2a-stores sets: bounded strings and numbers only. */
export type TelemetryAttributes = Record<string, string | number | boolean>;

/*
 * The parts of `@opentelemetry/api` (>= 1.3) a2a-stores calls, declared here so that neither the
 * build nor the published types need the package: it is an optional peer dependency.
 */
export interface OtelSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
}
export interface OtelTracer {
  startSpan(
    name: string,
    options: { kind: number; attributes: TelemetryAttributes },
    context: unknown,
  ): OtelSpan;
}
export interface OtelCounter {
  add(value: number, attributes?: TelemetryAttributes): void;
}
export interface OtelHistogram {
  record(value: number, attributes?: TelemetryAttributes): void;
}
export interface OtelMeter {
  createCounter(name: string, options: { description: string; unit?: string }): OtelCounter;
  createHistogram(
    name: string,
    options: {
      description: string;
      unit: string;
      advice?: { explicitBucketBoundaries: number[] };
    },
  ): OtelHistogram;
}
/** What a2a-stores needs from `@opentelemetry/api`; the real module satisfies it. */
export interface OpenTelemetryApi {
  trace: {
    getTracerProvider(): {
      getTracer(name: string, version?: string): OtelTracer;
      /** On the API's proxy provider: the registered SDK provider, or the no-op one. */
      getDelegate?(): unknown;
    };
    setSpan(context: unknown, span: OtelSpan): unknown;
  };
  metrics: {
    getMeterProvider(): { getMeter(name: string, version?: string): OtelMeter };
  };
  /** The empty context: parent of spans that must not join whatever context was active. */
  ROOT_CONTEXT?: unknown;
  context: {
    active(): unknown;
    with<T>(context: unknown, fn: () => T): T;
  };
}

let resolved: OpenTelemetryApi | null | undefined;

/**
 * Resolved once, synchronously, from the caller's installation: the SDK registers its providers
 * on the global of that same package, so a private copy of our own could miss them (the API's
 * version check refuses a global registered by an older minor). A missing package is no error:
 * instrumentation is then off.
 */
function resolveApi(): OpenTelemetryApi | null {
  try {
    // `__filename` exists only in the CommonJS build; `import.meta.url` only in the ESM one.
    const load = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
    const api = load('@opentelemetry/api') as Partial<OpenTelemetryApi>;
    return api.trace && api.metrics && api.context ? (api as OpenTelemetryApi) : null;
  } catch {
    return null;
  }
}

/** The `@opentelemetry/api` module in use, or `null` when it is not installed. */
export function openTelemetryApi(): OpenTelemetryApi | null {
  if (resolved === undefined) resolved = resolveApi();
  return resolved;
}

/**
 * Makes a2a-stores report through `api` instead of the `@opentelemetry/api` it resolves itself:
 * for bundled applications where that resolution cannot see the application's copy, and for
 * tests that exercise a given API version. `null` turns instrumentation off; `undefined` goes
 * back to automatic resolution.
 *
 * @example
 * ```ts
 * import * as api from '@opentelemetry/api';
 * import { useOpenTelemetryApi } from '@a2a-stores/core';
 * useOpenTelemetryApi(api);
 * ```
 */
export function useOpenTelemetryApi(api: OpenTelemetryApi | null | undefined): void {
  resolved = api;
  resetInstruments();
}

let resetHook: () => void = () => {};
/** Lets the instrument cache drop what it built over a previous API module. */
export function onApiChange(reset: () => void): void {
  resetHook = reset;
}
function resetInstruments(): void {
  resetHook();
}

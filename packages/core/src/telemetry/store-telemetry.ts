import { countTelemetry, type TelemetryCounter } from './instruments.js';
import type { TelemetryAttributes } from './otel-api.js';
import { tracedCall } from './traced-call.js';

/**
 * What an adapter tells core about where its data lives, for span and metric attributes (the
 * OpenTelemetry database semantic conventions). Only names that identify infrastructure: never a
 * connection string, URL, user, password, tenant or owner.
 *
 * @example
 * ```ts
 * import type { StoreTelemetryAttributes } from '@a2a-stores/core';
 * const attributes: StoreTelemetryAttributes = {
 *   system: 'postgresql',
 *   collection: 'public.a2a_tasks',
 *   serverAddress: 'db.internal',
 *   serverPort: 5432,
 * };
 * ```
 */
export interface StoreTelemetryAttributes {
  /** `db.system.name`: `postgresql`, `mysql`, `mariadb`, `sqlite`, `redis`, `memory`… */
  readonly system: string;
  /** `db.collection.name`: the table (or key family) the store reads and writes. */
  readonly collection?: string;
  /** `db.namespace`: the database (schema, database index) name. */
  readonly namespace?: string;
  /** `server.address`: host name or IP, without credentials or path. */
  readonly serverAddress?: string;
  /** `server.port`. */
  readonly serverPort?: number;
}

/**
 * One store's spans and metrics: attributes computed once, per operation. `null` attributes turn
 * it off, for internal stores whose calls are not the user's (a dry-run purge that only counts).
 */
export class StoreTelemetry {
  readonly #base: TelemetryAttributes;
  readonly #target: string;
  readonly #byOperation = new Map<string, TelemetryAttributes>();
  readonly #enabled: boolean;

  constructor(given: StoreTelemetryAttributes | null) {
    this.#enabled = given !== null;
    const attributes = given ?? { system: 'other' };
    const base: TelemetryAttributes = { 'db.system.name': attributes.system };
    if (attributes.collection) base['db.collection.name'] = attributes.collection;
    if (attributes.namespace) base['db.namespace'] = attributes.namespace;
    if (attributes.serverAddress) base['server.address'] = attributes.serverAddress;
    if (attributes.serverPort !== undefined) base['server.port'] = attributes.serverPort;
    this.#base = base;
    // The semantic conventions' span name: "{operation} {target}", target the collection.
    this.#target = attributes.collection ?? attributes.namespace ?? attributes.system;
  }

  /** Runs one store operation in a client span and records its duration. */
  run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    if (!this.#enabled) return fn();
    let attributes = this.#byOperation.get(operation);
    if (!attributes) {
      attributes = { ...this.#base, 'db.operation.name': operation };
      this.#byOperation.set(operation, attributes);
    }
    return tracedCall(`${operation} ${this.#target}`, attributes, fn, { recordDuration: true });
  }

  /** Adds to a counter with this store's `db.system.name` and the given bounded attributes. */
  count(counter: TelemetryCounter, value = 1, attributes?: TelemetryAttributes): void {
    if (!this.#enabled) return;
    countTelemetry(counter, value, {
      'db.system.name': this.#base['db.system.name'] as string,
      ...attributes,
    });
  }
}

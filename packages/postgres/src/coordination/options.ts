import type { StoreLogger } from '@a2a-stores/core';
import type { ClientConfig } from 'pg';
import type { PostgresConnection, PostgresStoreOptions } from '../options.js';

/**
 * Options of {@link createPostgresCoordination}: where to connect (the stores' `pg.Pool` or a
 * connection string), the same `schema` and `tablePrefix` as the stores, and how the dedicated
 * LISTEN connection behaves.
 */
export type PostgresCoordinationOptions = PostgresConnection &
  Pick<PostgresStoreOptions, 'schema' | 'tablePrefix'> & {
    /**
     * Where the LISTEN connection goes, when the pool goes through PgBouncer in transaction (or
     * statement) pooling mode: LISTEN needs one session for its whole life, which such a pooler
     * does not give, so notifications would silently stop. Point this at the server directly
     * (or at a session-mode pooler). Default: the pool's own connection settings.
     */
    readonly listenConnectionString?: string;
    /** Extra settings of the LISTEN connection (TLS, timeouts); connection strings win. */
    readonly listenClientConfig?: Omit<ClientConfig, 'connectionString'>;
    /**
     * `application_name` of the LISTEN connection and of a pool created from a connection string,
     * so operators can find them in `pg_stat_activity`. Default `'a2a-stores-coordination'`.
     */
    readonly applicationName?: string;
    /** Receives reconnects and dropped messages; never message content. Default: `console.warn`. */
    readonly logger?: StoreLogger;
    /** Delays between reconnect attempts of the LISTEN connection: doubling, jittered, capped. */
    readonly reconnect?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number };
    /**
     * How often the idle LISTEN connection is probed with `SELECT 1`, so a connection that died
     * without a word (a dropped network path) is noticed and replaced. Default 15 000 ms.
     */
    readonly pingIntervalMs?: number;
  };

export const DEFAULT_APPLICATION_NAME = 'a2a-stores-coordination';

/** What the LISTEN connection needs, resolved from the options once. */
export interface ListenSettings {
  readonly clientConfig: ClientConfig;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly pingIntervalMs: number;
}

/** Pool settings a `pg.Client` does not take. */
const POOL_ONLY_KEYS = [
  'max',
  'min',
  'idleTimeoutMillis',
  'maxUses',
  'maxLifetimeSeconds',
  'allowExitOnIdle',
  'log',
  'Client',
  'Promise',
] as const;

function clientSettingsOf(config: Record<string, unknown>): ClientConfig {
  const copy: Record<string, unknown> = { ...config };
  for (const key of POOL_ONLY_KEYS) delete copy[key];
  return copy as ClientConfig;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new TypeError(`createPostgresCoordination: ${name} must be a positive number`);
  }
  return value;
}

export function resolveListenSettings(options: PostgresCoordinationOptions): ListenSettings {
  let base: ClientConfig;
  if (options.listenConnectionString !== undefined) {
    base = { connectionString: options.listenConnectionString };
  } else if ('connectionString' in options && typeof options.connectionString === 'string') {
    base = {
      ...clientSettingsOf({ ...options.poolConfig }),
      connectionString: options.connectionString,
    };
  } else if ('pool' in options && options.pool) {
    // The pool's own settings (host, user, TLS, password function): the same server the stores use.
    base = clientSettingsOf({ ...(options.pool.options as unknown as Record<string, unknown>) });
  } else {
    throw new TypeError('createPostgresCoordination needs { pool } or { connectionString }');
  }
  const initialDelayMs = positive(
    options.reconnect?.initialDelayMs,
    100,
    'reconnect.initialDelayMs',
  );
  return {
    clientConfig: {
      connectionTimeoutMillis: 10_000,
      query_timeout: 10_000,
      ...base,
      ...options.listenClientConfig,
      ...(base.connectionString === undefined ? {} : { connectionString: base.connectionString }),
      keepAlive: true,
      application_name: options.applicationName ?? DEFAULT_APPLICATION_NAME,
    },
    initialDelayMs,
    maxDelayMs: Math.max(
      initialDelayMs,
      positive(options.reconnect?.maxDelayMs, 5_000, 'reconnect.maxDelayMs'),
    ),
    pingIntervalMs: positive(options.pingIntervalMs, 15_000, 'pingIntervalMs'),
  };
}

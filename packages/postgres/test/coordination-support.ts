import { randomBytes } from 'node:crypto';
import type { ChannelListener } from '@a2a-stores/core';
import { silentLogger } from '@a2a-stores/core/conformance';
import { waitFor } from '@a2a-stores/test-backends';
import type pg from 'pg';
import {
  createPostgresCoordination,
  type PostgresCoordination,
  type PostgresCoordinationOptions,
} from '../src/index.js';

/** Bound for waits on deliveries and state changes: only a lost message or a hang exceeds it. */
export const DELIVERY_TIMEOUT_MS = 15_000;

/** A coordination backend on `pool` in `schema`, quiet, with a unique LISTEN application name. */
export function coordinationOn(
  pool: pg.Pool,
  schema: string,
  extra: Partial<PostgresCoordinationOptions> = {},
): PostgresCoordination {
  return createPostgresCoordination({
    pool,
    schema,
    logger: silentLogger(),
    applicationName: `a2a-test-${randomBytes(4).toString('hex')}`,
    ...extra,
  } as PostgresCoordinationOptions);
}

/** Collects what a channel delivers; `until` waits (bounded) for a count. */
export interface Inbox {
  readonly messages: string[];
  readonly listener: ChannelListener;
  until(count: number): Promise<void>;
}

export function inbox(): Inbox {
  const messages: string[] = [];
  return {
    messages,
    listener: (message) => void messages.push(message),
    until: (count) =>
      waitFor(
        `${count} messages (have ${messages.length})`,
        async () => messages.length >= count,
        DELIVERY_TIMEOUT_MS,
      ),
  };
}

/** Connections in `pg_stat_activity` with `name`, ours or not yet gone. */
export async function connectionsNamed(pool: pg.Pool, name: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
    [name],
  );
  return rows[0]?.n ?? 0;
}

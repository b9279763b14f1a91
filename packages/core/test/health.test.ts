import { describe, expect, it } from 'vitest';
import {
  createMemoryStores,
  measureHealth,
  SchemaNotMigratedError,
  StoreConfigurationError,
  StoreUnavailableError,
} from '../src/index.js';

/** A clock that advances by `step` ms on every read: latency is then exact, not timed. */
function steppingClock(step: number): () => number {
  let now = 1000;
  return () => {
    const value = now;
    now += step;
    return value;
  };
}

describe('measureHealth', () => {
  it('reports a reachable, current store as healthy with its latency rounded to µs', async () => {
    const health = await measureHealth('test', async () => [], steppingClock(1.23456789));
    expect(health).toEqual({
      healthy: true,
      reachable: true,
      schemaCurrent: true,
      pendingMigrations: [],
      latencyMs: 1.235,
    });
  });

  it('reports pending migrations as reachable but not current', async () => {
    const health = await measureHealth('test', async () => ['0002_x'], steppingClock(2));
    expect(health).toMatchObject({
      healthy: false,
      reachable: true,
      schemaCurrent: false,
      pendingMigrations: ['0002_x'],
      latencyMs: 2,
      problem: { code: 'SCHEMA_NOT_MIGRATED' },
    });
  });

  it('treats a SchemaNotMigratedError from the probe as reachable with its missing ids', async () => {
    const health = await measureHealth('test', async () => {
      throw new SchemaNotMigratedError('test', ['0001_a']);
    });
    expect(health).toMatchObject({ reachable: true, pendingMigrations: ['0001_a'] });
  });

  it('never throws: an unreachable or misconfigured store is an unhealthy result', async () => {
    const down = await measureHealth('test', async () => {
      throw new StoreUnavailableError('down');
    });
    expect(down).toMatchObject({
      healthy: false,
      reachable: false,
      schemaCurrent: false,
      problem: { code: 'STORE_UNAVAILABLE', message: 'down' },
    });
    const config = await measureHealth('test', async () => {
      throw new StoreConfigurationError('X', 'authentication', 'code 1');
    });
    expect(config.problem?.code).toBe('STORE_CONFIGURATION');
    const odd = await measureHealth('test', () => Promise.reject('a string'));
    expect(odd.problem).toEqual({ code: 'UNKNOWN', message: 'a string' });
  });

  it('is provided by the memory stores', async () => {
    const stores = createMemoryStores();
    await expect(stores.health?.()).resolves.toMatchObject({ healthy: true });
  });
});

describe('StoreConfigurationError', () => {
  it('is a non-retryable store error that says in words what is wrong', () => {
    const error = new StoreConfigurationError('PostgreSQL', 'missing-database', 'SQLSTATE 3D000');
    expect(error).not.toBeInstanceOf(StoreUnavailableError);
    expect(error.code).toBe('STORE_CONFIGURATION');
    expect(error.problem).toBe('missing-database');
    expect(error.name).toBe('StoreConfigurationError');
    expect(error.message).toMatch(
      /^PostgreSQL: the database .* does not exist .*\(SQLSTATE 3D000\)$/,
    );
  });
});

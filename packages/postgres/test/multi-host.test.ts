import { InvalidInputError } from '@a2a-stores/core';
import { freePort, resolveTestBackend } from '@a2a-stores/test-backends';
import { describe, expect, it } from 'vitest';
import { createPostgresStores, multiHostPoolConfig } from '../src/index.js';
import { parseMultiHost } from '../src/multi-host.js';

describe('multi-host connection strings', () => {
  it('takes the host list and target_session_attrs apart, keeping user, database and parameters', () => {
    const target = parseMultiHost(
      'postgresql://app:s%40cret@db1:6432,db2,[::1]:7000/agents?sslmode=disable&target_session_attrs=read-write&application_name=x',
    );
    expect(target?.targetSessionAttrs).toBe('read-write');
    expect(target?.hosts.map(({ host, port }) => [host, port])).toEqual([
      ['db1', 6432],
      ['db2', 5432],
      ['::1', 7000],
    ]);
    expect(target?.hosts[1]?.connectionString).toBe(
      'postgresql://app:s%40cret@db2/agents?sslmode=disable&application_name=x',
    );
    expect(target?.connectionString).toBe(
      'postgresql://app:s%40cret@db1:6432/agents?sslmode=disable&application_name=x',
    );
  });

  it('leaves a one-host string without target_session_attrs to pg', () => {
    expect(parseMultiHost('postgres://u@h:5432/db?sslmode=require')).toBeUndefined();
    expect(multiHostPoolConfig('postgres://u@h/db')).toEqual({
      connectionString: 'postgres://u@h/db',
    });
  });

  it('defaults to any host, as libpq does', () => {
    expect(parseMultiHost('postgres://h1,h2/db')?.targetSessionAttrs).toBe('any');
  });

  it('refuses an unknown target_session_attrs or a malformed port with InvalidInputError', () => {
    expect(() => parseMultiHost('postgres://h1,h2/db?target_session_attrs=standby-ish')).toThrow(
      InvalidInputError,
    );
    expect(() => parseMultiHost('postgres://h1:99999,h2/db')).toThrow(InvalidInputError);
    expect(() => createPostgresStores({ connectionString: 'postgres://h1,h2:x/db' })).toThrow(
      InvalidInputError,
    );
  });

  it('an unknown pooler mode is refused with InvalidInputError', () => {
    expect(() =>
      createPostgresStores(
        { connectionString: 'postgres://h/db' },
        { pooler: 'session' as unknown as 'auto' },
      ),
    ).toThrow(InvalidInputError);
  });

  it('skips a host that does not answer and connects to the next, for any target_session_attrs', async () => {
    const server = new URL((await resolveTestBackend('postgres')).url);
    const dead = await freePort();
    for (const attrs of ['', '?target_session_attrs=any', '?target_session_attrs=read-write']) {
      const stores = createPostgresStores({
        connectionString: `postgresql://postgres@127.0.0.1:${dead},${server.host}${server.pathname}${attrs}`,
        poolConfig: { max: 1, connectionTimeoutMillis: 2_000 },
      });
      try {
        const health = await stores.health();
        expect(health.reachable).toBe(true);
      } finally {
        await stores.close();
      }
    }
  });

  it('when no host answers, a call fails fast with a typed error that names no host', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const stores = createPostgresStores({
      connectionString: `postgresql://postgres@127.0.0.1:${a},127.0.0.1:${b}/postgres?target_session_attrs=read-write`,
      poolConfig: { max: 1, connectionTimeoutMillis: 2_000 },
    });
    try {
      const error = await stores.health();
      expect(error.healthy).toBe(false);
      await expect(stores.migrate()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      await expect(stores.migrate()).rejects.not.toThrow(/127\.0\.0\.1/);
    } finally {
      await stores.close();
    }
  });
});

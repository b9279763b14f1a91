import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadFactory,
  parseStoreUrl,
  redactStoreUrl,
  StoreAdapterUnavailableError,
  StoreUrlError,
} from '../src/stores-from-url.js';

describe('parseStoreUrl', () => {
  it('defaults to the given SQLite file', () => {
    expect(parseStoreUrl(undefined, '/srv/agent.db')).toEqual({
      kind: 'sqlite',
      filename: '/srv/agent.db',
    });
    expect(parseStoreUrl('  ', '/srv/agent.db')).toEqual({
      kind: 'sqlite',
      filename: '/srv/agent.db',
    });
  });

  it('accepts sqlite paths in their usual spellings and in memory', () => {
    expect(parseStoreUrl('sqlite:/tmp/a.db', 'x')).toEqual({
      kind: 'sqlite',
      filename: '/tmp/a.db',
    });
    expect(parseStoreUrl('sqlite:///tmp/a.db', 'x')).toEqual({
      kind: 'sqlite',
      filename: '/tmp/a.db',
    });
    expect(parseStoreUrl('sqlite:rel/a.db', 'x')).toEqual({
      kind: 'sqlite',
      filename: path.resolve('rel/a.db'),
    });
    expect(parseStoreUrl('sqlite::memory:', 'x')).toEqual({ kind: 'sqlite', filename: ':memory:' });
    expect(() => parseStoreUrl('sqlite:', 'x')).toThrow(StoreUrlError);
  });

  it('routes server URLs to their adapters, untouched', () => {
    const pg = 'postgres://u:p@db:5432/app?sslmode=require';
    expect(parseStoreUrl(pg, 'x')).toEqual({ kind: 'postgres', connectionString: pg });
    expect(parseStoreUrl('postgresql://db/app', 'x')).toEqual({
      kind: 'postgres',
      connectionString: 'postgresql://db/app',
    });
    expect(parseStoreUrl('mysql://root@db:3306/app', 'x')).toEqual({
      kind: 'mysql',
      uri: 'mysql://root@db:3306/app',
    });
    expect(parseStoreUrl('redis://db:6379', 'x')).toEqual({
      kind: 'redis',
      url: 'redis://db:6379',
    });
    expect(parseStoreUrl('rediss://db:6380', 'x')).toEqual({
      kind: 'redis',
      url: 'rediss://db:6380',
    });
    expect(parseStoreUrl('memory:', 'x')).toEqual({ kind: 'memory' });
  });

  it('refuses other schemes without echoing a password', () => {
    let message = '';
    try {
      parseStoreUrl('mongodb://admin:hunter2@db/app', 'x');
    } catch (error) {
      expect(error).toBeInstanceOf(StoreUrlError);
      message = (error as Error).message;
    }
    expect(message).toContain('Unsupported A2A_STORE_URL');
    expect(message).toContain('postgres://');
    expect(message).not.toContain('hunter2');
  });
});

describe('redactStoreUrl', () => {
  it('hides passwords and query strings, keeps what helps debugging', () => {
    expect(redactStoreUrl('postgres://app:s3cret@db.internal:5432/tasks?password=x')).toBe(
      'postgres://app:***@db.internal:5432/tasks?…',
    );
    expect(redactStoreUrl('redis://:s3cret@cache:6379')).toBe('redis://:***@cache:6379');
    expect(redactStoreUrl('mysql://root@127.0.0.1:3306/test')).toBe(
      'mysql://root@127.0.0.1:3306/test',
    );
    expect(redactStoreUrl('not a url at all')).toBe('<unparseable URL>');
  });
});

describe('loadFactory', () => {
  it('explains how to get a missing adapter', async () => {
    const failure = loadFactory('@a2a-stores/no-such-adapter', 'createNothing');
    await expect(failure).rejects.toBeInstanceOf(StoreAdapterUnavailableError);
    await expect(failure).rejects.toThrow(
      /@a2a-stores\/no-such-adapter could not be loaded .*pnpm --filter/,
    );
  });

  it('refuses a package without the factory export', async () => {
    await expect(loadFactory('@a2a-stores/core', 'createNothing')).rejects.toThrow(
      /has no createNothing export/,
    );
  });

  it('loads a real factory', async () => {
    expect(typeof (await loadFactory('@a2a-stores/core', 'createMemoryStores'))).toBe('function');
  });
});

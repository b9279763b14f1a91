import { StoreClosedError, StoreUnavailableError } from '@a2a-stores/core';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRedisOptions } from '../src/options.js';
import { RedisSession } from '../src/session.js';
import { connectTestRedis, testPrefix } from './helpers.js';

describe('RedisSession.call on a standalone client', () => {
  let client: Redis;
  let session: RedisSession;

  beforeAll(async () => {
    client = await connectTestRedis();
    session = new RedisSession(
      { client },
      resolveRedisOptions({ keyPrefix: testPrefix('session') }),
    );
  });

  afterAll(() => {
    client.disconnect();
  });

  it('resolves with the reply', async () => {
    await expect(session.call((c) => c.echo('hello'))).resolves.toBe('hello');
  });

  it('maps a transient server refusal to StoreUnavailableError, keeping the cause', async () => {
    const refusal = Object.assign(new Error('BUSY Redis is busy running a script'), {
      name: 'ReplyError',
    });
    const failure = await session.call(() => Promise.reject(refusal)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect((failure as Error).cause).toBe(refusal);
  });

  it('turns a synchronous throw into a rejection, as an async call would', async () => {
    const bug = new TypeError('not a function');
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = session.call(() => {
        throw bug;
      });
    }).not.toThrow();
    await expect(pending).rejects.toBe(bug);
  });

  it('rejects after close() without sending anything, never throwing synchronously', async () => {
    const closing = new RedisSession({ client }, resolveRedisOptions({}));
    await closing.close();
    let sent = false;
    const pending = closing.call((c) => {
      sent = true;
      return c.ping();
    });
    await expect(pending).rejects.toBeInstanceOf(StoreClosedError);
    expect(sent).toBe(false);
    // The client was yours: it stays open.
    await expect(client.ping()).resolves.toBe('PONG');
  });
});

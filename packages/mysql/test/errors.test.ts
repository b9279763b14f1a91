import {
  SchemaNotMigratedError,
  StoreConfigurationError,
  type StoreError,
  StoreUnavailableError,
} from '@a2a-stores/core';
import { callContext, listRequest, makeTask, randomScope } from '@a2a-stores/core/conformance';
import { freePort } from '@a2a-stores/test-backends';
import { describe, expect, it } from 'vitest';
import { createMysqlStores } from '../src/index.js';
import { isUnavailable, translateError } from '../src/mysql-errors.js';

function driverError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields.message ?? 'driver error')), fields);
}

describe('driver errors are classified', () => {
  it.each([
    ['a refused connection', { code: 'ECONNREFUSED', fatal: true }],
    ['a reset connection', { code: 'ECONNRESET' }],
    ['a lost connection', { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }],
    ['a server shutdown', { code: 'ER_SERVER_SHUTDOWN', errno: 1053, sqlState: '08S01' }],
    ['too many connections', { code: 'ER_CON_COUNT_ERROR', errno: 1040 }],
    ['a lock wait timeout', { code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 }],
    ['a deadlock', { code: 'ER_LOCK_DEADLOCK', errno: 1213 }],
    ['a read-only server', { code: 'ER_OPTION_PREVENTS_STATEMENT', errno: 1290 }],
    ['a killed connection', { code: 'ER_CONNECTION_KILLED', errno: 1927 }],
    ['a closed pool', { message: 'Pool is closed.' }],
    ['a connection exception SQLSTATE', { code: 'X', errno: 9999, sqlState: '08004' }],
  ])('%s → StoreUnavailableError', (_label, fields) => {
    const error = driverError(fields);
    expect(isUnavailable(error)).toBe(true);
    const translated = translateError(error, 'load');
    expect(translated).toBeInstanceOf(StoreUnavailableError);
    expect((translated as StoreError).cause).toBe(error);
  });

  it.each([
    ['a syntax error', { code: 'ER_PARSE_ERROR', errno: 1064, sqlState: '42000' }],
    ['a plain bug', { message: 'x is undefined' }],
  ])('%s passes through unchanged', (_label, fields) => {
    const error = driverError(fields);
    expect(isUnavailable(error)).toBe(false);
    expect(translateError(error, 'load')).toBe(error);
  });

  it.each([
    ['a denied privilege', { errno: 1142, sqlState: '42000', fatal: false }, 'missing-privilege'],
    ['a refused login', { errno: 1045, sqlState: '28000', fatal: true }, 'authentication'],
    ['TLS required by the server', { errno: 3159, sqlState: 'HY000', fatal: true }, 'tls-required'],
  ])('%s → StoreConfigurationError, not retryable', (_label, fields, problem) => {
    // 3159 needs a MySQL 8 with require_secure_transport=ON; the others are also tested live
    // (configuration-errors.test.ts).
    const error = driverError(fields);
    const translated = translateError(error, 'load');
    expect(translated).toBeInstanceOf(StoreConfigurationError);
    expect(translated).not.toBeInstanceOf(StoreUnavailableError);
    expect((translated as StoreConfigurationError).problem).toBe(problem);
    expect((translated as StoreError).cause).toBe(error);
  });

  it('never wraps a typed store error again', () => {
    const typed = new SchemaNotMigratedError('MySQL', ['0001_tasks']);
    expect(translateError(typed, 'load')).toBe(typed);
  });

  it('keeps data out of the message: operation and driver code only', () => {
    const error = driverError({ code: 'ECONNRESET', message: 'secret tenant acme-corp' });
    expect((translateError(error, 'save') as Error).message).toBe('MySQL save failed: ECONNRESET');
  });
});

describe('an unreachable server', () => {
  it('fails every call with StoreUnavailableError (no hang, nothing thrown raw)', async () => {
    const port = await freePort();
    const stores = createMysqlStores({ uri: `mysql://root@127.0.0.1:${port}/test` });
    const ctx = callContext(randomScope());
    try {
      const calls: Array<() => Promise<unknown>> = [
        () => stores.migrate(),
        () => stores.taskStore.load('t', ctx),
        () => stores.taskStore.save(makeTask(), ctx),
        () => stores.taskStore.list(listRequest(), ctx),
        () => stores.pushNotificationStore.load('t', ctx),
      ];
      for (const call of calls) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect((error as StoreError).code).toBe('STORE_UNAVAILABLE');
      }
    } finally {
      await stores.close();
    }
  });
});

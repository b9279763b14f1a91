import { describe, expect, it } from 'vitest';
import { StoreUnavailableError, unreachableError } from '../src/index.js';

describe('unreachableError', () => {
  it('names the service and the failure code, never the host or port of the driver message', () => {
    const driver = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5432'), {
      code: 'ECONNREFUSED',
    });
    const error = unreachableError('PostgreSQL', driver);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.message).toBe('PostgreSQL is unreachable (ECONNREFUSED)');
    expect(error.cause).toBe(driver);
  });

  it('leaves out a code that is not a plain error code', () => {
    const odd = Object.assign(new Error('x'), { code: 'host 10.1.2.3 refused' });
    expect(unreachableError('Redis', odd).message).toBe('Redis is unreachable');
    expect(unreachableError('Redis', new Error('Connection is closed.')).message).toBe(
      'Redis is unreachable',
    );
    expect(unreachableError('Redis', undefined).message).toBe('Redis is unreachable');
  });
});

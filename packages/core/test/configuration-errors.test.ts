import { describe, expect, it } from 'vitest';
import {
  type ConfigurationCodes,
  configurationErrorOf,
  StoreConfigurationError,
} from '../src/index.js';

const table: ConfigurationCodes = {
  engine: 'Engine',
  codes: new Map([
    ['A1', 'authentication'],
    ['D1', 'missing-database'],
  ]),
  codeOf: (error) => {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  },
  describe: (code) => `code ${code}`,
  refine: (error, problem) =>
    String((error as Error).message).includes('TLS') ? 'tls-required' : problem,
};

describe('configurationErrorOf', () => {
  it('maps an engine code, on the error or its cause chain, to a typed error', () => {
    const driver = Object.assign(new Error('secret-laden driver text'), { code: 'D1' });
    const mapped = configurationErrorOf(new Error('wrapper', { cause: driver }), table);
    expect(mapped).toBeInstanceOf(StoreConfigurationError);
    expect(mapped?.problem).toBe('missing-database');
    expect(mapped?.message).toContain('(code D1)');
    expect(mapped?.message).not.toContain('secret-laden');
  });

  it('lets the engine refine the problem from the error', () => {
    const driver = Object.assign(new Error('TLS needed'), { code: 'A1' });
    expect(configurationErrorOf(driver, table)?.problem).toBe('tls-required');
  });

  it('leaves other errors alone', () => {
    expect(configurationErrorOf(Object.assign(new Error('x'), { code: 'Z9' }), table)).toBe(
      undefined,
    );
    expect(configurationErrorOf(undefined, table)).toBe(undefined);
  });
});

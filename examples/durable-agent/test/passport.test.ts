import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ServerCallContext } from '@a2a-js/sdk/server';
import { type PassportVerification, setPassportVerification } from '@a2a-stores/passport';
import { afterAll, describe, expect, it } from 'vitest';
import { preferredCurrency, readPassportJwksFile } from '../src/passport.js';

const directory = mkdtempSync(path.join(tmpdir(), 'durable-agent-jwks-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const target = path.join(directory, name);
  writeFileSync(target, content);
  return target;
}

function callWith(verification: PassportVerification): ServerCallContext {
  const context = new ServerCallContext();
  setPassportVerification(context, verification);
  return context;
}

describe('A2A_PASSPORT_JWKS file', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1' };

  it('reads client id → public JWKS', () => {
    const jwks = { 'a2a://client.example': { keys: [publicJwk] } };
    expect(readPassportJwksFile(file('ok.json', JSON.stringify(jwks)))).toEqual(jwks);
  });

  it('refuses, naming the variable, a missing file, bad JSON, a non-object and a private key', () => {
    expect(() => readPassportJwksFile(path.join(directory, 'missing.json'))).toThrow(
      /A2A_PASSPORT_JWKS: cannot read/,
    );
    expect(() => readPassportJwksFile(file('bad.json', '{'))).toThrow(/A2A_PASSPORT_JWKS/);
    expect(() => readPassportJwksFile(file('list.json', '[]'))).toThrow(/A2A_PASSPORT_JWKS/);
    const leaked = { c: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'k1' }] } };
    expect(() => readPassportJwksFile(file('private.json', JSON.stringify(leaked)))).toThrow(
      /A2A_PASSPORT_JWKS: .*private key/,
    );
    const noKid = { c: { keys: [publicKey.export({ format: 'jwk' })] } };
    expect(() => readPassportJwksFile(file('nokid.json', JSON.stringify(noKid)))).toThrow(/kid/);
  });
});

describe('preferredCurrency', () => {
  const state = { user_preferred_currency: 'EUR' };

  it('reads a currency code from a verified or an unsigned passport', () => {
    const unsigned = {
      status: 'unsigned',
      clientId: 'c',
      state,
      passport: { clientId: 'c', state },
    };
    expect(preferredCurrency(callWith(unsigned as PassportVerification))).toBe('EUR');
    const verified = { ...unsigned, status: 'verified' };
    expect(preferredCurrency(callWith(verified as PassportVerification))).toBe('EUR');
  });

  it('ignores failed, malformed and absent passports, and values that are not a code', () => {
    expect(
      preferredCurrency(callWith({ status: 'failed', reason: 'bad_signature', detail: 'x' })),
    ).toBeUndefined();
    expect(preferredCurrency(callWith({ status: 'malformed', reason: 'x' }))).toBeUndefined();
    expect(preferredCurrency(callWith({ status: 'absent' }))).toBeUndefined();
    expect(preferredCurrency(new ServerCallContext())).toBeUndefined();
    for (const value of ['eur', 'EURO', 42, '<b>']) {
      const odd = { user_preferred_currency: value };
      const unsigned = { status: 'unsigned', clientId: 'c', state: odd, passport: {} };
      expect(preferredCurrency(callWith(unsigned as PassportVerification))).toBeUndefined();
    }
  });
});

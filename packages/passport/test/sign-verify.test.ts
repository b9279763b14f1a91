import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  type CallerContext,
  MemoryReplayCache,
  PASSPORT_JWS_TYPE,
  type PassportAlgorithm,
  type PassportKeyResolver,
  PassportKeysUnavailableError,
  signPassport,
  staticKeyResolver,
  type VerifyPassportOptions,
  verifyPassport,
} from '../src/index.js';
import { makeKey, type TestKey } from './helpers.js';

const CLIENT = 'a2a://travel-orchestrator.com';
const AUDIENCE = 'https://currency.example/a2a';
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const CONTENT = {
  clientId: CLIENT,
  sessionId: 's-1',
  state: { user_preferred_currency: 'GBP', user_id: 'U001' },
};

function optionsFor(
  key: TestKey,
  extra: Partial<VerifyPassportOptions> = {},
): VerifyPassportOptions {
  return {
    keys: staticKeyResolver({ [CLIENT]: { keys: [key.publicJwk] } }),
    audience: AUDIENCE,
    replayCache: new MemoryReplayCache(),
    now: () => T0,
    ...extra,
  };
}

function sign(
  key: TestKey,
  content: Omit<CallerContext, 'signature'> = CONTENT,
  extra: { ttlSeconds?: number; now?: () => number; audience?: string } = {},
) {
  return signPassport(content, {
    privateKey: key.privateKey,
    kid: key.kid,
    alg: key.alg,
    audience: extra.audience ?? AUDIENCE,
    ttlSeconds: extra.ttlSeconds ?? 60,
    now: extra.now ?? (() => T0),
  });
}

/** Rewrites the protected header of a passport signature, keeping its signature bytes. */
function withHeader(
  passport: CallerContext,
  change: (header: Record<string, unknown>) => void,
): CallerContext {
  const [encoded = '', , signature = ''] = (passport.signature ?? '').split('.');
  const header = JSON.parse(new TextDecoder().decode(base64url.decode(encoded))) as Record<
    string,
    unknown
  >;
  change(header);
  const reencoded = base64url.encode(JSON.stringify(header));
  return { ...passport, signature: `${reencoded}..${signature}` };
}

describe.each<PassportAlgorithm>(['EdDSA', 'ES256'])(
  'signPassport + verifyPassport with %s',
  (alg) => {
    it('verifies a fresh passport and returns its authentic content', async () => {
      const key = await makeKey(alg);
      const passport = await sign(key);
      expect(passport.signature).toMatch(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/);
      const header = JSON.parse(
        new TextDecoder().decode(base64url.decode(passport.signature!.split('.')[0]!)),
      );
      expect(header).toMatchObject({
        alg,
        kid: key.kid,
        typ: PASSPORT_JWS_TYPE,
        aud: AUDIENCE,
        iat: T0 / 1000,
        exp: T0 / 1000 + 60,
      });
      expect(header.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
      const result = await verifyPassport(passport, optionsFor(key));
      expect(result).toMatchObject({
        status: 'verified',
        clientId: CLIENT,
        sessionId: 's-1',
        state: CONTENT.state,
        kid: key.kid,
        alg,
        audience: AUDIENCE,
        issuedAt: T0 / 1000,
        expiresAt: T0 / 1000 + 60,
      });
    });

    it('survives a JSON round trip with keys in another order (canonical JSON)', async () => {
      const key = await makeKey(alg);
      const passport = await sign(key, {
        clientId: CLIENT,
        state: { b: [1, { y: 2, x: 1 }], a: 'é' },
      });
      const reordered = JSON.parse(
        JSON.stringify({
          state: { a: 'é', b: [1, { x: 1, y: 2 }] },
          signature: passport.signature,
          clientId: CLIENT,
        }),
      );
      expect((await verifyPassport(reordered, optionsFor(key))).status).toBe('verified');
    });

    it.each<[string, (p: CallerContext) => unknown]>([
      ['clientId changed', (p) => ({ ...p, clientId: 'a2a://evil.example' })],
      ['sessionId changed', (p) => ({ ...p, sessionId: 's-2' })],
      [
        'sessionId removed',
        (p) => ({ clientId: p.clientId, state: p.state, signature: p.signature }),
      ],
      [
        'state value changed',
        (p) => ({ ...p, state: { ...p.state, user_preferred_currency: 'USD' } }),
      ],
      ['state key added', (p) => ({ ...p, state: { ...p.state, loyalty_tier: 'Platinum' } })],
      ['state key removed', (p) => ({ ...p, state: { user_preferred_currency: 'GBP' } })],
      ['state number type changed', (p) => ({ ...p, state: { ...p.state, user_id: 1 } })],
    ])('refuses a passport with its %s', async (_name, tamper) => {
      const key = await makeKey(alg);
      const passport = await sign(key);
      const result = await verifyPassport(tamper(passport), {
        ...optionsFor(key),
        // The forged client id must resolve to the genuine key, so the refusal is the signature's.
        keys: staticKeyResolver({
          [CLIENT]: { keys: [key.publicJwk] },
          'a2a://evil.example': { keys: [key.publicJwk] },
        }),
      });
      expect(result).toMatchObject({ status: 'failed', reason: 'bad_signature' });
    });

    it.each<[string, (h: Record<string, unknown>) => void, string]>([
      ['aud', (h) => (h['aud'] = 'https://other.example'), 'bad_signature'],
      ['iat', (h) => (h['iat'] = (h['iat'] as number) + 1), 'bad_signature'],
      ['exp', (h) => (h['exp'] = (h['exp'] as number) + 3600), 'bad_signature'],
      ['nonce', (h) => (h['nonce'] = 'AAAAAAAAAAAAAAAAAAAAAA'), 'bad_signature'],
      ['typ', (h) => (h['typ'] = 'JWT'), 'wrong_type'],
      ['alg', (h) => (h['alg'] = 'HS256'), 'unsupported_algorithm'],
      ['kid (to an unknown one)', (h) => (h['kid'] = 'nope'), 'unknown_key'],
      ['jku (key URL)', (h) => (h['jku'] = 'https://evil.example/jwks.json'), 'malformed'],
      ['jwk (embedded key)', (h) => (h['jwk'] = { kty: 'OKP' }), 'malformed'],
      ['crit', (h) => (h['crit'] = ['exp']), 'malformed'],
      ['b64', (h) => (h['b64'] = false), 'malformed'],
      ['exp before iat', (h) => (h['exp'] = (h['iat'] as number) - 1), 'malformed'],
      ['nonce too short', (h) => (h['nonce'] = 'abc'), 'malformed'],
    ])('refuses a passport whose header %s was changed', async (_name, change, reason) => {
      const key = await makeKey(alg);
      const result = await verifyPassport(withHeader(await sign(key), change), optionsFor(key));
      expect(result).toMatchObject({ status: 'failed', reason });
    });

    it('refuses a passport signed by another key under the same kid', async () => {
      const genuine = await makeKey(alg, 'shared-kid');
      const impostor = await makeKey(alg, 'shared-kid');
      const result = await verifyPassport(await sign(impostor), optionsFor(genuine));
      expect(result).toMatchObject({ status: 'failed', reason: 'bad_signature' });
    });
  },
);

describe('keys and rotation', () => {
  it('refuses clients and kids that have no configured key', async () => {
    const key = await makeKey('EdDSA');
    const other = await makeKey('EdDSA');
    const passport = await sign(key);
    expect(
      await verifyPassport(passport, { ...optionsFor(key), keys: staticKeyResolver({}) }),
    ).toMatchObject({
      status: 'failed',
      reason: 'unknown_key',
      claimedClientId: CLIENT,
    });
    expect(await verifyPassport(passport, optionsFor(other))).toMatchObject({
      status: 'failed',
      reason: 'unknown_key',
    });
  });

  it('keeps verifying the old kid while it is published, and refuses it once removed', async () => {
    const old = await makeKey('EdDSA', 'k-2024');
    const next = await makeKey('ES256', 'k-2025');
    const both = staticKeyResolver({ [CLIENT]: { keys: [old.publicJwk, next.publicJwk] } });
    const onlyNew = staticKeyResolver({ [CLIENT]: { keys: [next.publicJwk] } });
    const fromOld = await sign(old);
    const fromNew = await sign(next);
    expect((await verifyPassport(fromOld, { ...optionsFor(old), keys: both })).status).toBe(
      'verified',
    );
    expect((await verifyPassport(fromNew, { ...optionsFor(next), keys: both })).status).toBe(
      'verified',
    );
    const afterRotation = await verifyPassport(await sign(old), {
      ...optionsFor(old),
      keys: onlyNew,
    });
    expect(afterRotation).toMatchObject({ status: 'failed', reason: 'unknown_key' });
    expect(
      (await verifyPassport(await sign(next), { ...optionsFor(next), keys: onlyNew })).status,
    ).toBe('verified');
  });

  it('refuses a kid whose key is of another type than alg', async () => {
    const edKey = await makeKey('EdDSA', 'k');
    const ecKey = await makeKey('ES256', 'k');
    const keys = staticKeyResolver({ [CLIENT]: { keys: [ecKey.publicJwk] } });
    const result = await verifyPassport(await sign(edKey), { ...optionsFor(edKey), keys });
    expect(result).toMatchObject({ status: 'failed', reason: 'unknown_key' });
  });

  it('reports keys_unavailable when the resolver cannot get keys', async () => {
    const key = await makeKey('EdDSA');
    const down: PassportKeyResolver = {
      resolveKey: async () => {
        throw new PassportKeysUnavailableError('JWKS host unreachable');
      },
    };
    const broken: PassportKeyResolver = {
      resolveKey: async () => {
        throw new Error('bug');
      },
    };
    const passport = await sign(key);
    expect(await verifyPassport(passport, { ...optionsFor(key), keys: down })).toMatchObject({
      reason: 'keys_unavailable',
    });
    expect(await verifyPassport(passport, { ...optionsFor(key), keys: broken })).toMatchObject({
      reason: 'keys_unavailable',
    });
  });

  it('refuses unusable static JWKS at construction', async () => {
    const key = await makeKey('EdDSA');
    const { kid: _kid, ...noKid } = key.publicJwk;
    expect(() => staticKeyResolver({ [CLIENT]: { keys: [noKid] } })).toThrow(/without "kid"/);
    expect(() => staticKeyResolver({ [CLIENT]: { keys: [key.publicJwk, key.publicJwk] } })).toThrow(
      /two keys/,
    );
    expect(() =>
      staticKeyResolver({ [CLIENT]: { keys: [{ ...key.publicJwk, d: 'secret' }] } }),
    ).toThrow(/private key/);
  });

  it('honours an algorithm restriction', async () => {
    const key = await makeKey('EdDSA');
    const result = await verifyPassport(await sign(key), {
      ...optionsFor(key),
      algorithms: ['ES256'],
    });
    expect(result).toMatchObject({ status: 'failed', reason: 'unsupported_algorithm' });
  });
});

describe('audience, expiry and clock skew', () => {
  it('refuses a passport issued for another agent, accepts any of the configured audiences', async () => {
    const key = await makeKey('EdDSA');
    const forOther = await sign(key, CONTENT, { audience: 'https://other-agent.example/a2a' });
    expect(await verifyPassport(forOther, optionsFor(key))).toMatchObject({
      status: 'failed',
      reason: 'wrong_audience',
    });
    const forRest = await sign(key, CONTENT, { audience: 'https://currency.example/rest' });
    const result = await verifyPassport(
      forRest,
      optionsFor(key, { audience: [AUDIENCE, 'https://currency.example/rest'] }),
    );
    expect(result.status).toBe('verified');
  });

  it.each<[string, number, string]>([
    ['inside its lifetime', 59_000, 'verified'],
    ['just past expiry but within skew', 60_000 + 29_000, 'verified'],
    ['past expiry and skew', 60_000 + 30_000, 'expired'],
    ['issued slightly in the future (skew)', -29_000, 'verified'],
    ['issued too far in the future', -31_000, 'not_yet_valid'],
  ])('decides a passport checked %s', async (_name, elapsed, outcome) => {
    const key = await makeKey('EdDSA');
    const passport = await sign(key);
    const result = await verifyPassport(
      passport,
      optionsFor(key, { now: () => T0 + elapsed, clockSkew: 30 }),
    );
    expect(result.status === 'verified' ? 'verified' : (result as { reason: string }).reason).toBe(
      outcome,
    );
  });

  it('refuses a long-lived passport older than maxAge', async () => {
    const key = await makeKey('EdDSA');
    const passport = await sign(key, CONTENT, { ttlSeconds: 3600 });
    const options = optionsFor(key, { maxAge: 300, clockSkew: 0 });
    expect((await verifyPassport(passport, { ...options, now: () => T0 + 299_000 })).status).toBe(
      'verified',
    );
    const late = await verifyPassport(await sign(key, CONTENT, { ttlSeconds: 3600 }), {
      ...options,
      now: () => T0 + 301_000,
    });
    expect(late).toMatchObject({ status: 'failed', reason: 'expired' });
  });
});

describe('replay', () => {
  it('refuses the second use of a passport, and only of that one', async () => {
    const key = await makeKey('EdDSA');
    const options = optionsFor(key);
    const passport = await sign(key);
    expect((await verifyPassport(passport, options)).status).toBe('verified');
    expect(await verifyPassport(passport, options)).toMatchObject({
      status: 'failed',
      reason: 'replayed',
    });
    expect((await verifyPassport(await sign(key), options)).status).toBe('verified');
  });

  it('does not burn a nonce for a passport that failed another check', async () => {
    const key = await makeKey('EdDSA');
    const cache = new MemoryReplayCache();
    const passport = await sign(key);
    const wrongAudience = await verifyPassport(
      passport,
      optionsFor(key, { replayCache: cache, audience: 'https://x' }),
    );
    expect(wrongAudience).toMatchObject({ reason: 'wrong_audience' });
    expect(cache.size).toBe(0);
    expect((await verifyPassport(passport, optionsFor(key, { replayCache: cache }))).status).toBe(
      'verified',
    );
  });
});

describe('unsigned and malformed input', () => {
  it('reports an unsigned passport as unsigned, with its claimed content', async () => {
    const key = await makeKey('EdDSA');
    const result = await verifyPassport(
      { clientId: 'a2a://ecommerce-front.com', state: { product_sku: 'X' } },
      optionsFor(key),
    );
    expect(result).toMatchObject({
      status: 'unsigned',
      clientId: 'a2a://ecommerce-front.com',
      state: { product_sku: 'X' },
    });
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['a number', 1],
    ['an unknown field', { clientId: CLIENT, state: {}, signature: 'a..b', admin: true }],
    ['the guide mock signature', { clientId: CLIENT, state: {}, signature: 'MOCK-SIG-123456...' }],
    [
      'a non-detached JWS',
      { clientId: CLIENT, state: {}, signature: 'eyJhbGciOiJFZERTQSJ9.eyJ4IjoxfQ.c2ln' },
    ],
    ['two segments', { clientId: CLIENT, state: {}, signature: 'abc.def' }],
    [
      'a header that is not JSON',
      { clientId: CLIENT, state: {}, signature: `${base64url.encode('{nope')}..c2ln` },
    ],
    [
      'a header that is an array',
      { clientId: CLIENT, state: {}, signature: `${base64url.encode('[1]')}..c2ln` },
    ],
    ['spaces', { clientId: CLIENT, state: {}, signature: 'a b..c' }],
  ])('reports %s as failed, never throws', async (_name, input) => {
    const key = await makeKey('EdDSA');
    const result = await verifyPassport(input, optionsFor(key));
    expect(result.status).toBe('failed');
    if (result.status === 'failed') expect(['malformed', 'wrong_type']).toContain(result.reason);
  });

  it('reports a truncated signature as a bad or malformed signature, never verified', async () => {
    const key = await makeKey('ES256');
    const passport = await sign(key);
    const result = await verifyPassport(
      { ...passport, signature: passport.signature!.slice(0, -4) },
      optionsFor(key),
    );
    expect(result.status).toBe('failed');
    if (result.status === 'failed') expect(['bad_signature', 'malformed']).toContain(result.reason);
  });

  it('throws TypeError for bad options, which are a programming error', async () => {
    const key = await makeKey('EdDSA');
    await expect(
      verifyPassport(await sign(key), { ...optionsFor(key), audience: [] }),
    ).rejects.toThrow(TypeError);
    await expect(
      verifyPassport(await sign(key), { ...optionsFor(key), maxAge: -1 }),
    ).rejects.toThrow(TypeError);
  });

  it('refuses to sign invalid content or with bad options', async () => {
    const key = await makeKey('EdDSA');
    await expect(sign(key, { clientId: CLIENT, state: { bad: Number.NaN } })).rejects.toThrow(
      /finite number/,
    );
    await expect(sign(key, CONTENT, { ttlSeconds: 0 })).rejects.toThrow(/ttlSeconds/);
  });
});

import { describe, expect, it } from 'vitest';
import {
  attachPassport,
  type CallerContext,
  decodePassportHeader,
  encodePassportHeader,
  InvalidPassportError,
  PASSPORT_LIMITS,
  parseCallerContext,
  readPassport,
  SECURE_PASSPORT_URI,
  validateCallerContext,
} from '../src/index.js';
import { userMessage } from './helpers.js';

const GUIDE_PASSPORT = {
  clientId: 'a2a://orchestrator-agent.com',
  sessionId: 'travel-session-xyz',
  signature: 'MOCK-SIG-123456...',
  state: { user_preferred_currency: 'GBP', loyalty_tier: 'Gold' },
};

describe('extension URI', () => {
  it('is the URI the guide defines', () => {
    expect(SECURE_PASSPORT_URI).toBe(
      'https://github.com/a2aproject/a2a-samples/tree/main/samples/python/extensions/secure-passport',
    );
  });
});

describe('CallerContext model', () => {
  it('accepts the guide example and returns a frozen copy', () => {
    const input = structuredClone(GUIDE_PASSPORT);
    const parsed = parseCallerContext(input);
    expect(parsed).toEqual({ ok: true, passport: GUIDE_PASSPORT });
    if (!parsed.ok) return;
    input.state.user_preferred_currency = 'USD';
    expect(parsed.passport.state['user_preferred_currency']).toBe('GBP');
    expect(Object.isFrozen(parsed.passport.state)).toBe(true);
  });

  it('refuses unknown fields, like the guide extra=forbid', () => {
    const parsed = parseCallerContext({ ...GUIDE_PASSPORT, client_id: 'x' });
    expect(parsed).toEqual({ ok: false, reason: 'unknown field "client_id"' });
  });

  it('drops null optional fields, like exclude_none', () => {
    const parsed = parseCallerContext({
      clientId: 'a2a://x',
      state: {},
      sessionId: null,
      signature: null,
    });
    expect(parsed).toEqual({ ok: true, passport: { clientId: 'a2a://x', state: {} } });
  });

  it.each([
    ['not an object', 'a string', 'a passport must be a JSON object'],
    ['an array', [GUIDE_PASSPORT], 'a passport must be a JSON object'],
    ['null', null, 'a passport must be a JSON object'],
    ['missing clientId', { state: {} }, 'clientId is required'],
    ['empty clientId', { clientId: '', state: {} }, 'clientId must be a non-empty string'],
    ['numeric clientId', { clientId: 42, state: {} }, 'clientId must be a non-empty string'],
    [
      'clientId with a newline',
      { clientId: 'a2a://x\nSet-Cookie: y', state: {} },
      'clientId contains control characters',
    ],
    [
      'clientId with a lone surrogate',
      { clientId: 'a2a://\ud800', state: {} },
      'clientId contains a lone surrogate',
    ],
    [
      'clientId too long',
      { clientId: 'x'.repeat(PASSPORT_LIMITS.maxClientIdLength + 1), state: {} },
      'clientId is longer',
    ],
    ['missing state', { clientId: 'a2a://x' }, 'state is required'],
    ['state array', { clientId: 'a2a://x', state: [] }, 'state must be a JSON object'],
    ['state string', { clientId: 'a2a://x', state: 'GBP' }, 'state must be a JSON object'],
    [
      'state with NaN',
      { clientId: 'a2a://x', state: { n: Number.NaN } },
      'state.n is not a finite number',
    ],
    [
      'state with a function',
      { clientId: 'a2a://x', state: { f: () => 1 } },
      'state.f is not a JSON value',
    ],
    [
      'state with undefined',
      { clientId: 'a2a://x', state: { u: undefined } },
      'state.u is not a JSON value',
    ],
    [
      'state with a Date',
      { clientId: 'a2a://x', state: { d: new Date(0) } },
      'state.d is not a JSON value',
    ],
    [
      'state with a bigint',
      { clientId: 'a2a://x', state: { b: 1n } },
      'state.b is not a JSON value',
    ],
    [
      'state with a lone surrogate key',
      { clientId: 'a2a://x', state: { '\udc00': 1 } },
      'lone surrogate',
    ],
    [
      'sessionId number',
      { clientId: 'a2a://x', state: {}, sessionId: 7 },
      'sessionId must be a non-empty string',
    ],
    [
      'signature object',
      { clientId: 'a2a://x', state: {}, signature: {} },
      'signature must be a non-empty string',
    ],
    [
      'signature too long',
      { clientId: 'a2a://x', state: {}, signature: 'a'.repeat(5000) },
      'signature is longer',
    ],
  ])('refuses %s with a reason', (_name, input, reason) => {
    const parsed = parseCallerContext(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });

  it('refuses state nested too deep, and cycles, without overflowing the stack', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 10_000; i += 1) {
      const next = {};
      deep['a'] = next;
      deep = next;
    }
    expect(parseCallerContext({ clientId: 'a2a://x', state: root })).toMatchObject({ ok: false });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const parsed = parseCallerContext({ clientId: 'a2a://x', state: cyclic });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain('nested deeper');
  });

  it('refuses state over the size limit', () => {
    const big = { blob: 'x'.repeat(PASSPORT_LIMITS.maxStateBytes) };
    const parsed = parseCallerContext({ clientId: 'a2a://x', state: big });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(/over the limit/);
  });

  it('keeps a "__proto__" key as data, never as a prototype', () => {
    const parsed = parseCallerContext(
      JSON.parse('{"clientId":"a2a://x","state":{"__proto__":{"admin":true}}}'),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(Object.getPrototypeOf(parsed.passport.state)).toBe(Object.prototype);
    expect((parsed.passport.state as Record<string, unknown>)['admin']).toBeUndefined();
    expect(Object.keys(parsed.passport.state)).toEqual(['__proto__']);
  });

  it('answers a hostile getter with a reason instead of throwing', () => {
    const hostile = {
      clientId: 'a2a://x',
      get state(): never {
        throw new Error('boom');
      },
    };
    expect(parseCallerContext(hostile)).toEqual({
      ok: false,
      reason: 'passport could not be read',
    });
  });

  it('validateCallerContext throws InvalidPassportError for code-built passports', () => {
    expect(() => validateCallerContext({ clientId: 'a2a://x', state: {}, extra: 1 })).toThrow(
      InvalidPassportError,
    );
  });
});

describe('attachPassport / readPassport', () => {
  it('puts the passport under the URI, declares the extension and leaves the input alone', () => {
    const message = userMessage('Book a flight for me.', { metadata: { other: 1 } });
    const before = structuredClone(message);
    const passport: CallerContext = {
      clientId: 'a2a://orchestrator-agent.com',
      state: { loyalty_tier: 'Gold' },
    };
    const sent = attachPassport(message, passport);
    expect(message).toEqual(before);
    expect(sent.metadata).toEqual({ other: 1, [SECURE_PASSPORT_URI]: passport });
    expect(sent.extensions).toEqual([SECURE_PASSPORT_URI]);
    expect(attachPassport(sent, passport).extensions).toEqual([SECURE_PASSPORT_URI]);
    expect(readPassport(sent)).toEqual({ status: 'ok', passport });
  });

  it('refuses to attach an invalid passport', () => {
    const message = userMessage('hi');
    expect(() => attachPassport(message, { clientId: '', state: {} })).toThrow(
      InvalidPassportError,
    );
    expect(() =>
      attachPassport(message, { clientId: 'a2a://x' } as unknown as CallerContext),
    ).toThrow(/state is required/);
  });

  it('reports absent for messages without one', () => {
    expect(readPassport(userMessage('hi'))).toEqual({ status: 'absent' });
    expect(readPassport(undefined)).toEqual({ status: 'absent' });
    expect(readPassport({ metadata: 'garbage' })).toEqual({ status: 'absent' });
    expect(readPassport({ metadata: { [SECURE_PASSPORT_URI]: null } })).toEqual({
      status: 'absent',
    });
  });

  it.each([
    ['a string passport', 'MOCK'],
    ['a number', 42],
    ['an extra field', { ...GUIDE_PASSPORT, admin: true }],
    ['a state that is a list', { clientId: 'a2a://x', state: ['GBP'] }],
  ])('reports %s as malformed, never throws', (_name, value) => {
    const result = readPassport({ metadata: { [SECURE_PASSPORT_URI]: value } });
    expect(result.status).toBe('malformed');
  });

  it('survives metadata whose getter throws', () => {
    const metadata = Object.defineProperty({}, SECURE_PASSPORT_URI, {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(readPassport({ metadata })).toEqual({
      status: 'malformed',
      reason: 'message metadata could not be read',
    });
  });
});

describe('passport header carrier', () => {
  it('round-trips a passport, unicode included', () => {
    const passport = { clientId: 'a2a://x', state: { city: 'Zürich 🏔', n: 1.5 } };
    expect(decodePassportHeader(encodePassportHeader(passport))).toEqual({
      status: 'ok',
      passport,
    });
  });

  it.each([
    ['absent', undefined, 'absent'],
    ['repeated', ['a', 'b'], 'malformed'],
    ['not base64url', 'eyJ+/==', 'malformed'],
    ['not JSON', Buffer.from('{nope').toString('base64url'), 'malformed'],
    ['invalid UTF-8', Buffer.from([0xff, 0xfe]).toString('base64url'), 'malformed'],
    ['an invalid passport', encodePassportHeader({ clientId: 'a2a://x' }), 'malformed'],
    ['too long', 'A'.repeat(200_000), 'malformed'],
  ])('reads %s header values without throwing', (_name, raw, status) => {
    expect(decodePassportHeader(raw).status).toBe(status);
  });
});

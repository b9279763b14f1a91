import { HTTP_EXTENSION_HEADER, type SendMessageRequest } from '@a2a-js/sdk';
import type { BeforeArgs } from '@a2a-js/sdk/client';
import { describe, expect, it } from 'vitest';
import {
  decodePassportHeader,
  PASSPORT_HEADER,
  passportAudiences,
  passportExtension,
  passportInterceptor,
  readPassport,
  SECURE_PASSPORT_URI,
  withPassportExtension,
} from '../src/index.js';
import { AGENT_URL, makeKey, testCard, userMessage } from './helpers.js';

describe('AgentCard declaration', () => {
  it("produces the guide's shape", () => {
    expect(
      passportExtension({ supportedStateKeys: ['user_preferred_currency', 'loyalty_tier'] }),
    ).toEqual({
      uri: SECURE_PASSPORT_URI,
      params: { supportedStateKeys: ['user_preferred_currency', 'loyalty_tier'] },
      description: expect.stringContaining('Secure Passport'),
      required: false,
    });
    expect(passportExtension()).toMatchObject({
      uri: SECURE_PASSPORT_URI,
      params: {},
      required: false,
    });
    expect(passportExtension({ required: true, description: 'Finance only' })).toMatchObject({
      required: true,
      description: 'Finance only',
    });
    expect(() => passportExtension({ supportedStateKeys: [''] })).toThrow(TypeError);
  });

  it('adds the declaration to a card once, keeping other extensions', () => {
    const base = testCard();
    const other = {
      uri: 'https://example.com/ext/other',
      description: 'x',
      required: false,
      params: undefined,
    };
    const card = withPassportExtension(
      {
        ...base,
        capabilities: { ...base.capabilities!, extensions: [other, passportExtension()] },
      },
      { supportedStateKeys: ['destination'] },
    );
    expect(card.capabilities?.extensions).toEqual([
      other,
      passportExtension({ supportedStateKeys: ['destination'] }),
    ]);
    expect(base.capabilities?.extensions).toHaveLength(1);
  });

  it('lists the interface URLs as audiences', () => {
    const card = testCard();
    card.supportedInterfaces.push({
      ...card.supportedInterfaces[0]!,
      url: 'http://127.0.0.1:9/a2a/rest',
      protocolBinding: 'HTTP+JSON',
    });
    expect(passportAudiences(card)).toEqual([AGENT_URL, 'http://127.0.0.1:9/a2a/rest']);
  });
});

describe('passportInterceptor (unit)', () => {
  const card = testCard();

  it('attaches a signed passport to a copy of the message and requests the extension', async () => {
    const key = await makeKey('EdDSA');
    const interceptor = passportInterceptor({
      clientId: 'a2a://x',
      state: { user_preferred_currency: 'GBP' },
      signing: { privateKey: key.privateKey, kid: key.kid, alg: key.alg },
    });
    const message = userMessage('hi');
    const request: SendMessageRequest = {
      tenant: '',
      message,
      configuration: undefined,
      metadata: undefined,
    };
    const args: BeforeArgs = {
      input: { method: 'sendMessage', value: request },
      agentCard: card,
      options: { serviceParameters: { [HTTP_EXTENSION_HEADER]: 'https://example.com/ext/other' } },
    };
    await interceptor.before(args);
    expect(message.metadata).toBeUndefined();
    const sent = args.input?.method === 'sendMessage' ? args.input.value.message : undefined;
    const found = readPassport(sent);
    expect(found.status).toBe('ok');
    if (found.status === 'ok') expect(found.passport.signature).toMatch(/\.\./);
    expect(args.options?.serviceParameters?.[HTTP_EXTENSION_HEADER]).toBe(
      `https://example.com/ext/other,${SECURE_PASSPORT_URI}`,
    );
    expect(args.options?.serviceParameters?.[PASSPORT_HEADER]).toBeUndefined();
  });

  it('puts the passport in the header on calls without a message, with the default audience', async () => {
    const interceptor = passportInterceptor({ clientId: 'a2a://x', sessionId: () => 'per-call' });
    const args: BeforeArgs = {
      input: { method: 'getTask', value: { tenant: '', id: 't' } },
      agentCard: card,
    };
    await interceptor.before(args);
    const header = args.options?.serviceParameters?.[PASSPORT_HEADER];
    expect(decodePassportHeader(header)).toEqual({
      status: 'ok',
      passport: { clientId: 'a2a://x', sessionId: 'per-call', state: {} },
    });
    expect(args.options?.serviceParameters?.[HTTP_EXTENSION_HEADER]).toBe(SECURE_PASSPORT_URI);
  });

  it('refuses an invalid fixed passport at setup', () => {
    expect(() => passportInterceptor({ clientId: '' })).toThrow(/clientId/);
    expect(() =>
      passportInterceptor({ clientId: 'a2a://x', state: { n: Number.POSITIVE_INFINITY } }),
    ).toThrow(/finite/);
  });
});

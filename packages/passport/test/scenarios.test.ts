import { randomUUID } from 'node:crypto';
import type { Task } from '@a2a-js/sdk';
import { DefaultRequestHandler, ServerCallContext, STATE_HEADERS_KEY } from '@a2a-js/sdk/server';
import { createMemoryStores } from '@a2a-stores/core';
import { describe, expect, it } from 'vitest';
import {
  attachPassport,
  type CallerContext,
  MemoryReplayCache,
  PassportRejectedError,
  PassportRequestHandler,
  type PassportRequestHandlerOptions,
  passportScopeResolver,
  SECURE_PASSPORT_URI,
  setPassportVerification,
  signPassport,
  staticKeyResolver,
} from '../src/index.js';
import {
  AGENT_URL,
  answerOf,
  makeKey,
  PassportEchoExecutor,
  type TestKey,
  testCard,
  userMessage,
} from './helpers.js';

/** One agent per scenario: the stores, the SDK handler, the passport handler around it. */
function agent(
  keys: Record<string, TestKey>,
  policy: Pick<PassportRequestHandlerOptions, 'require' | 'onFailed'>,
  unsigned: 'reject' | 'anonymous' | 'fallback',
) {
  const stores = createMemoryStores({ scopeResolver: passportScopeResolver({ unsigned }) });
  const executor = new PassportEchoExecutor();
  const inner = new DefaultRequestHandler(testCard(), stores.taskStore, executor);
  const handler = new PassportRequestHandler(inner, {
    keys: staticKeyResolver(
      Object.fromEntries(Object.entries(keys).map(([id, key]) => [id, { keys: [key.publicJwk] }])),
    ),
    audience: AGENT_URL,
    replayCache: new MemoryReplayCache(),
    ...policy,
  });
  return { stores, executor, handler };
}

function context(): ServerCallContext {
  return new ServerCallContext({ state: new Map([[STATE_HEADERS_KEY, {}]]) });
}

function signFor(key: TestKey, content: Omit<CallerContext, 'signature'>): Promise<CallerContext> {
  return signPassport(content, {
    privateKey: key.privateKey,
    kid: key.kid,
    alg: key.alg,
    audience: AGENT_URL,
  });
}

describe("the guide's four scenarios", () => {
  it('1. currency conversion: a signed passport personalises the answer at once', async () => {
    const orchestrator = await makeKey('EdDSA');
    const { handler } = agent(
      { 'a2a://travel-orchestrator.com': orchestrator },
      { require: 'verified' },
      'reject',
    );
    const passport = await signFor(orchestrator, {
      clientId: 'a2a://travel-orchestrator.com',
      state: { user_preferred_currency: 'GBP', user_id: 'U001' },
    });
    const ctx = context();
    const result = await handler.sendMessage(
      {
        tenant: '',
        message: attachPassport(userMessage('Convert 100 USD'), passport),
        configuration: undefined,
        metadata: undefined,
      },
      ctx,
    );
    expect(answerOf(result)).toBe('verified a2a://travel-orchestrator.com currency=GBP');
    expect(ctx.activatedExtensions).toEqual([SECURE_PASSPORT_URI]);
  });

  it('2. personalised travel booking: the session id carries across two turns of one task', async () => {
    const portal = await makeKey('ES256');
    const { handler, executor } = agent({ 'a2a://travel-portal.com': portal }, {}, 'reject');
    const content = {
      clientId: 'a2a://travel-portal.com',
      sessionId: 'travel-booking-session-999',
      state: { destination: 'Bali, Indonesia', loyalty_tier: 'Platinum' },
    };
    const first = (await handler.sendMessage(
      {
        tenant: '',
        message: attachPassport(
          userMessage('Find flights, wait for my dates'),
          await signFor(portal, content),
        ),
        configuration: undefined,
        metadata: undefined,
      },
      context(),
    )) as Task;
    const second = (await handler.sendMessage(
      {
        tenant: '',
        // A fresh signature per message: the first one's nonce is spent.
        message: attachPassport(
          userMessage('March 3 to 10', { taskId: first.id }),
          await signFor(portal, content),
        ),
        configuration: undefined,
        metadata: undefined,
      },
      context(),
    )) as Task;
    expect(second.id).toBe(first.id);
    expect(executor.seen).toEqual([
      'verified a2a://travel-portal.com session=travel-booking-session-999',
      'verified a2a://travel-portal.com session=travel-booking-session-999',
    ]);
  });

  it('3. retail assistance: an unsigned passport is accepted as low-risk, but never decides the scope', async () => {
    const { handler, stores } = agent({}, { require: 'none' }, 'anonymous');
    const passport = {
      clientId: 'a2a://ecommerce-front.com',
      state: { product_sku: 'Nikon-Z-50mm-f1.8', user_intent: 'seeking_reviews' },
    };
    const result = (await handler.sendMessage(
      {
        tenant: '',
        message: attachPassport(userMessage('Any reviews?'), passport),
        configuration: undefined,
        metadata: undefined,
      },
      context(),
    )) as Task;
    expect(answerOf(result)).toBe('unsigned a2a://ecommerce-front.com');
    // The task lives in the shared anonymous scope, not under the client id it merely claimed.
    const anonymous = context();
    setPassportVerification(anonymous, { status: 'absent' });
    expect((await stores.taskStore.load(result.id, anonymous))?.id).toBe(result.id);
  });

  describe('4. secure database access: only a verified passport gets through', () => {
    const CLIENT = 'a2a://marketing-agent.com';
    const STATE = {
      query_type: 'quarterly_revenue',
      access_scope: ['read:finance_db', 'user:Gulli'],
    };

    async function financeAgent() {
      const key = await makeKey('EdDSA');
      return {
        key,
        ...agent({ [CLIENT]: key }, { require: 'verified', onFailed: 'reject' }, 'reject'),
      };
    }

    async function refusal(handler: PassportRequestHandler, passport: unknown) {
      const message = userMessage('Quarterly revenue please');
      message.metadata = passport === undefined ? undefined : { [SECURE_PASSPORT_URI]: passport };
      const error = await handler
        .sendMessage(
          { tenant: '', message, configuration: undefined, metadata: undefined },
          context(),
        )
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(PassportRejectedError);
      return error as PassportRejectedError;
    }

    it('serves a signed passport', async () => {
      const { key, handler } = await financeAgent();
      const passport = await signFor(key, { clientId: CLIENT, state: STATE });
      const result = await handler.sendMessage(
        {
          tenant: '',
          message: attachPassport(userMessage('Quarterly revenue'), passport),
          configuration: undefined,
          metadata: undefined,
        },
        context(),
      );
      expect(answerOf(result)).toBe(`verified ${CLIENT}`);
    });

    it('refuses unsigned, missing, mock-signed, tampered and replayed passports before any work or storage', async () => {
      const { key, handler, executor, stores } = await financeAgent();
      expect(await refusal(handler, { clientId: CLIENT, state: STATE })).toMatchObject({
        passportStatus: 'unsigned',
      });
      expect(await refusal(handler, undefined)).toMatchObject({ passportStatus: 'absent' });
      expect(
        await refusal(handler, { clientId: CLIENT, state: STATE, signature: 'sig-finance-4' }),
      ).toMatchObject({
        passportStatus: 'failed',
        passportReason: 'malformed',
      });
      const genuine = await signFor(key, { clientId: CLIENT, state: STATE });
      const escalated = {
        ...genuine,
        state: { ...STATE, access_scope: ['read:finance_db', 'write:finance_db'] },
      };
      expect(await refusal(handler, escalated)).toMatchObject({
        passportStatus: 'failed',
        passportReason: 'bad_signature',
      });
      // A signed passport that breaks the model is a failed one, not a malformed one to ignore.
      const error = await refusal(handler, { ...genuine, extra: 'field' });
      expect(error).toMatchObject({ passportStatus: 'failed', passportReason: 'malformed' });
      // The wire error is the SDK's client error, with the reason in its metadata.
      expect(error.name).toBe('RequestMalformedError');

      await handler.sendMessage(
        {
          tenant: '',
          message: attachPassport(userMessage('once'), genuine),
          configuration: undefined,
          metadata: undefined,
        },
        context(),
      );
      expect(await refusal(handler, genuine)).toMatchObject({ passportReason: 'replayed' });

      expect(executor.seen).toEqual([`verified ${CLIENT}`]);
      const probe = context();
      setPassportVerification(probe, {
        status: 'verified',
        clientId: CLIENT,
        state: {},
        kid: key.kid,
        alg: 'EdDSA',
        audience: AGENT_URL,
        issuedAt: 0,
        expiresAt: 0,
        nonce: randomUUID(),
        passport: { clientId: CLIENT, state: {} },
      });
      const stored = await stores.taskStore.list(
        { tenant: '', contextId: '', status: 0, pageToken: '', statusTimestampAfter: undefined },
        probe,
      );
      expect(stored.totalSize).toBe(1);
    });
  });
});

import { type StreamResponse, TaskState } from '@a2a-js/sdk';
import { DefaultRequestHandler, ServerCallContext, STATE_HEADERS_KEY } from '@a2a-js/sdk/server';
import { createMemoryStores } from '@a2a-stores/core';
import { describe, expect, it } from 'vitest';
import {
  attachPassport,
  getPassportVerification,
  MemoryReplayCache,
  PassportRequestHandler,
  type PassportRequestHandlerOptions,
  type PassportVerification,
  passportScopeResolver,
  SECURE_PASSPORT_URI,
  signPassport,
  staticKeyResolver,
} from '../src/index.js';
import {
  AGENT_URL,
  makeKey,
  PassportEchoExecutor,
  testCard,
  textOf,
  userMessage,
} from './helpers.js';

const CLIENT = 'a2a://travel-orchestrator.com';

async function setup(extra: Partial<PassportRequestHandlerOptions> = {}) {
  const key = await makeKey('EdDSA');
  const executor = new PassportEchoExecutor();
  const stores = createMemoryStores({
    scopeResolver: passportScopeResolver({ unsigned: 'anonymous' }),
  });
  const handler = new PassportRequestHandler(
    new DefaultRequestHandler(testCard(), stores.taskStore, executor),
    {
      keys: staticKeyResolver({ [CLIENT]: { keys: [key.publicJwk] } }),
      audience: AGENT_URL,
      replayCache: new MemoryReplayCache(),
      ...extra,
    },
  );
  const signed = () =>
    signPassport(
      { clientId: CLIENT, state: { user_preferred_currency: 'GBP' } },
      { privateKey: key.privateKey, kid: key.kid, alg: key.alg, audience: AGENT_URL },
    );
  return { handler, executor, signed };
}

const ctx = () => new ServerCallContext({ state: new Map([[STATE_HEADERS_KEY, {}]]) });

describe('PassportRequestHandler policies', () => {
  it("onFailed: 'ignore' serves a tampered passport as unverified, with the failure recorded", async () => {
    const { handler, executor, signed } = await setup({ onFailed: 'ignore' });
    const passport = await signed();
    const tampered = { ...passport, state: { user_preferred_currency: 'USD' } };
    const context = ctx();
    await handler.sendMessage(
      {
        tenant: '',
        message: attachPassport(userMessage('hi'), tampered),
        configuration: undefined,
        metadata: undefined,
      },
      context,
    );
    expect(executor.seen).toEqual(['failed bad_signature']);
    expect(getPassportVerification(context)).toMatchObject({
      status: 'failed',
      reason: 'bad_signature',
    });
    // Not accepted, so the extension is not reported as activated.
    expect(context.activatedExtensions).toBeUndefined();
  });

  it('ignores a malformed passport (served, reason recorded) unless a verified one is required', async () => {
    const { handler, executor } = await setup();
    const message = userMessage('hi', {
      metadata: { [SECURE_PASSPORT_URI]: { clientId: CLIENT, state: 'GBP' } },
    });
    const context = ctx();
    await handler.sendMessage(
      { tenant: '', message, configuration: undefined, metadata: undefined },
      context,
    );
    expect(executor.seen).toEqual(['malformed']);
    expect(getPassportVerification(context)).toEqual({
      status: 'malformed',
      reason: 'state must be a JSON object',
    });
  });

  it('verifies streamed messages before the first event, and tells an observer', async () => {
    const observed: PassportVerification[] = [];
    const { handler, signed } = await setup({
      onVerification: (verification) => {
        observed.push(verification);
        throw new Error('a broken observer must not matter');
      },
    });
    const events: StreamResponse[] = [];
    const stream = handler.sendMessageStream(
      {
        tenant: '',
        message: attachPassport(userMessage('stream'), await signed()),
        configuration: undefined,
        metadata: undefined,
      },
      ctx(),
    );
    for await (const event of stream) events.push(event);
    const last = events.at(-1);
    expect(last?.payload?.$case).toBe('statusUpdate');
    if (last?.payload?.$case === 'statusUpdate') {
      expect(last.payload.value.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(textOf(last.payload.value.status?.message)).toBe(`verified ${CLIENT} currency=GBP`);
    }
    expect(observed.map((v) => v.status)).toEqual(['verified']);
  });

  it('refuses a stream with a tampered passport before the inner handler runs', async () => {
    const { handler, executor, signed } = await setup();
    const tampered = { ...(await signed()), clientId: 'a2a://other' };
    const stream = handler.sendMessageStream(
      {
        tenant: '',
        message: attachPassport(userMessage('stream'), tampered),
        configuration: undefined,
        metadata: undefined,
      },
      ctx(),
    );
    await expect(stream.next()).rejects.toMatchObject({ passportReason: 'unknown_key' });
    expect(executor.seen).toEqual([]);
  });

  it('validates its options at construction', async () => {
    await expect(setup({ require: 'always' as 'verified' })).rejects.toThrow(TypeError);
    await expect(setup({ onFailed: 'log' as 'ignore' })).rejects.toThrow(TypeError);
    await expect(setup({ audience: '' })).rejects.toThrow(TypeError);
  });
});

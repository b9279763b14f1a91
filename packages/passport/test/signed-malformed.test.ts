import { TaskState } from '@a2a-js/sdk';
import { DefaultRequestHandler, ServerCallContext, STATE_HEADERS_KEY } from '@a2a-js/sdk/server';
import { createMemoryStores } from '@a2a-stores/core';
import { describe, expect, it } from 'vitest';
import {
  type CallerContext,
  decodePassportHeader,
  encodePassportHeader,
  getPassportVerification,
  MemoryReplayCache,
  PASSPORT_LIMITS,
  PassportRejectedError,
  PassportRequestHandler,
  type PassportRequestHandlerOptions,
  passportScopeResolver,
  readPassport,
  SECURE_PASSPORT_URI,
  signPassport,
  staticKeyResolver,
} from '../src/index.js';
import { AGENT_URL, makeKey, PassportEchoExecutor, testCard, userMessage } from './helpers.js';

// Issue #17 item 4: a passport carrying a signature that breaks a CallerContext limit used to be
// "malformed", hence ignored, so the signing agent's message was served in the anonymous scope.

const CLIENT = 'a2a://travel-orchestrator.com';

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let level = 1; level < depth; level += 1) value = { inner: value };
  return value;
}

type Passport = Record<string, unknown>;

/** Every way a signed passport can break the model, applied to a genuine signed passport. */
const SHAPES: ReadonlyArray<readonly [string, (genuine: Passport) => Passport]> = [
  ['state nested 40 deep', (p) => ({ ...p, state: nested(40) })],
  ['state of 70 KB', (p) => ({ ...p, state: { blob: 'x'.repeat(70 * 1024) } })],
  [
    'state with too many values',
    (p) => ({
      ...p,
      state: { list: Array.from({ length: PASSPORT_LIMITS.maxStateValues + 1 }, () => 1) },
    }),
  ],
  ['state that is a list', (p) => ({ ...p, state: ['GBP'] })],
  ['state missing', ({ state: _state, ...p }) => p],
  ['state with a lone surrogate', (p) => ({ ...p, state: { city: '\uD800' } })],
  ['an unknown field', (p) => ({ ...p, admin: true })],
  [
    'clientId too long',
    (p) => ({ ...p, clientId: `a2a://${'c'.repeat(PASSPORT_LIMITS.maxClientIdLength)}` }),
  ],
  ['clientId missing', ({ clientId: _clientId, ...p }) => p],
  ['clientId with a control character', (p) => ({ ...p, clientId: 'a2a://x\n' })],
  [
    'sessionId too long',
    (p) => ({ ...p, sessionId: 's'.repeat(PASSPORT_LIMITS.maxSessionIdLength + 1) }),
  ],
  ['sessionId not a string', (p) => ({ ...p, sessionId: 7 })],
  [
    'signature too long',
    (p) => ({ ...p, signature: 's'.repeat(PASSPORT_LIMITS.maxSignatureLength + 1) }),
  ],
  ['signature empty', (p) => ({ ...p, signature: '' })],
  ['signature not a string', (p) => ({ ...p, signature: 42 })],
];

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
  const genuine = (await signPassport(
    { clientId: CLIENT, state: { user_preferred_currency: 'GBP' } },
    { privateKey: key.privateKey, kid: key.kid, alg: key.alg, audience: AGENT_URL },
  )) as CallerContext as unknown as Passport;
  return { handler, executor, genuine };
}

const ctx = (headers: Record<string, string> = {}) =>
  new ServerCallContext({ state: new Map([[STATE_HEADERS_KEY, headers]]) });

const listAll = {
  tenant: '',
  contextId: '',
  status: TaskState.TASK_STATE_UNSPECIFIED,
  pageToken: '',
  statusTimestampAfter: undefined,
};

function send(handler: PassportRequestHandler, passport: Passport, context = ctx()) {
  const message = userMessage('private to the signing agent', {
    metadata: { [SECURE_PASSPORT_URI]: passport },
  });
  return handler.sendMessage(
    { tenant: '', message, configuration: undefined, metadata: undefined },
    context,
  );
}

function outcome(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'served',
    (error: unknown) => error,
  );
}

describe('a signed passport that breaks the CallerContext model', () => {
  it.each(SHAPES)('is refused on a message when it has %s', async (_name, breakIt) => {
    const { handler, executor, genuine } = await setup();
    const context = ctx();
    const error = await outcome(send(handler, breakIt(genuine), context));
    expect(error).toBeInstanceOf(PassportRejectedError);
    expect(error).toMatchObject({ passportStatus: 'failed', passportReason: 'malformed' });
    expect(executor.seen).toEqual([]);
    expect(getPassportVerification(context)).toMatchObject({
      status: 'failed',
      reason: 'malformed',
    });
    // Nothing landed in the anonymous scope, where any other anonymous caller would read it.
    expect((await handler.listTasks(listAll, ctx())).tasks).toEqual([]);
  });

  it.each(SHAPES)('is refused in the header when it has %s', async (_name, breakIt) => {
    const { handler, genuine } = await setup();
    const header = encodePassportHeader(breakIt(genuine));
    const error = await outcome(handler.listTasks(listAll, ctx({ 'a2a-passport': header })));
    expect(error).toMatchObject({ passportStatus: 'failed', passportReason: 'malformed' });
  });

  it('is refused when the header carrying it is repeated (as a list or comma-joined)', async () => {
    const { handler, genuine } = await setup();
    const header = encodePassportHeader(genuine);
    for (const raw of [[header, header], `${header}, ${header}`]) {
      const context = new ServerCallContext({
        state: new Map<string, unknown>([[STATE_HEADERS_KEY, { 'a2a-passport': raw }]]),
      });
      const error = await outcome(handler.listTasks(listAll, context));
      expect(error).toMatchObject({ passportStatus: 'failed', passportReason: 'malformed' });
    }
    // Repeated unsigned passports stay a malformed passport, ignored like any other.
    const { signature: _signature, ...unsigned } = genuine;
    expect(decodePassportHeader([encodePassportHeader(unsigned), 'x'])).toEqual({
      status: 'malformed',
      reason: 'passport header is repeated',
    });
  });

  it("with onFailed: 'ignore' is served as a recorded failure, not as no passport", async () => {
    const { handler, executor, genuine } = await setup({ onFailed: 'ignore' });
    await send(handler, { ...genuine, state: nested(40) });
    expect(executor.seen).toEqual(['failed malformed']);
  });

  it('readPassport marks it signed; an unsigned malformed passport stays ignorable', async () => {
    const { genuine } = await setup();
    const read = (passport: unknown) =>
      readPassport({ metadata: { [SECURE_PASSPORT_URI]: passport } });
    expect(read({ ...genuine, state: nested(40) })).toMatchObject({
      status: 'malformed',
      signed: true,
    });
    const { signature: _signature, ...unsigned } = genuine;
    const result = read({ ...unsigned, state: nested(40) });
    expect(result.status).toBe('malformed');
    expect(result).not.toHaveProperty('signed');
    expect(read({ ...unsigned, signature: null, state: nested(40) })).not.toHaveProperty('signed');
  });
});

import { type Task, TaskState } from '@a2a-js/sdk';
import {
  DefaultRequestHandler,
  ServerCallContext,
  STATE_HEADERS_KEY,
  type User,
} from '@a2a-js/sdk/server';
import { createMemoryStores, ScopeResolutionError, type ScopeResolver } from '@a2a-stores/core';
import { describe, expect, it } from 'vitest';
import {
  attachPassport,
  type CallerContext,
  encodePassportHeader,
  MemoryReplayCache,
  PASSPORT_HEADER,
  PassportRejectedError,
  PassportRequestHandler,
  passportOwner,
  passportScopeResolver,
  signPassport,
  staticKeyResolver,
} from '../src/index.js';
import {
  AGENT_URL,
  makeKey,
  PassportEchoExecutor,
  type TestKey,
  testCard,
  userMessage,
} from './helpers.js';

const ALPHA = 'a2a://alpha-orchestrator.com';
const BETA = 'a2a://beta-orchestrator.com';

class NamedUser implements User {
  constructor(readonly userName: string) {}
  get isAuthenticated(): boolean {
    return true;
  }
}

/** DefaultRequestHandler + core memory stores + passportScopeResolver, behind PassportRequestHandler. */
async function setup(
  unsigned: 'reject' | 'anonymous' | 'fallback',
  require: 'none' | 'verified' = 'none',
  fallback?: ScopeResolver,
) {
  const alpha = await makeKey('EdDSA');
  const beta = await makeKey('ES256');
  const stores = createMemoryStores({
    scopeResolver: passportScopeResolver({ unsigned, ...(fallback ? { fallback } : {}) }),
  });
  const inner = new DefaultRequestHandler(testCard(), stores.taskStore, new PassportEchoExecutor());
  const handler = new PassportRequestHandler(inner, {
    keys: staticKeyResolver({
      [ALPHA]: { keys: [alpha.publicJwk] },
      [BETA]: { keys: [beta.publicJwk] },
    }),
    audience: AGENT_URL,
    replayCache: new MemoryReplayCache(),
    require,
  });
  return { alpha, beta, handler };
}

const sign = (key: TestKey, clientId: string): Promise<CallerContext> =>
  signPassport(
    { clientId, state: {} },
    { privateKey: key.privateKey, kid: key.kid, alg: key.alg, audience: AGENT_URL },
  );

/** A call context as the SDK's transports build it: request headers kept in state. */
function ctx(passport?: CallerContext, user?: User): ServerCallContext {
  const headers = passport ? { [PASSPORT_HEADER]: encodePassportHeader(passport) } : {};
  return new ServerCallContext({
    state: new Map([[STATE_HEADERS_KEY, headers]]),
    ...(user ? { user } : {}),
  });
}

const listRequest = {
  tenant: '',
  contextId: '',
  status: TaskState.TASK_STATE_UNSPECIFIED,
  pageToken: '',
  statusTimestampAfter: undefined,
};

async function send(
  handler: PassportRequestHandler,
  passport: CallerContext | undefined,
  text: string,
  taskId = '',
  user?: User,
) {
  const message = passport
    ? attachPassport(userMessage(text, { taskId }), passport)
    : userMessage(text, { taskId });
  return (await handler.sendMessage(
    { tenant: '', message, configuration: undefined, metadata: undefined },
    ctx(undefined, user),
  )) as Task;
}

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );
}

describe('passportScopeResolver with DefaultRequestHandler and core memory stores', () => {
  it('two verified client ids never see each other’s tasks', async () => {
    const { alpha, beta, handler } = await setup('reject');
    const taskA = await send(handler, await sign(alpha, ALPHA), 'alpha work, wait');
    const taskB = await send(handler, await sign(beta, BETA), 'beta work');

    expect(
      (await handler.getTask({ tenant: '', id: taskA.id }, ctx(await sign(alpha, ALPHA)))).id,
    ).toBe(taskA.id);
    expect(
      await rejection(handler.getTask({ tenant: '', id: taskA.id }, ctx(await sign(beta, BETA)))),
    ).toMatchObject({
      name: 'TaskNotFoundError',
    });

    const listedA = await handler.listTasks(listRequest, ctx(await sign(alpha, ALPHA)));
    const listedB = await handler.listTasks(listRequest, ctx(await sign(beta, BETA)));
    expect(listedA.tasks.map((task) => task.id)).toEqual([taskA.id]);
    expect(listedB.tasks.map((task) => task.id)).toEqual([taskB.id]);

    // Beta can neither continue nor cancel alpha's waiting task.
    const before = await handler.getTask(
      { tenant: '', id: taskA.id },
      ctx(await sign(alpha, ALPHA)),
    );
    expect(
      await rejection(send(handler, await sign(beta, BETA), 'hijack', taskA.id)),
    ).toMatchObject({
      name: 'TaskNotFoundError',
    });
    expect(
      await rejection(
        handler.cancelTask(
          { tenant: '', id: taskA.id, metadata: undefined },
          ctx(await sign(beta, BETA)),
        ),
      ),
    ).toMatchObject({
      name: 'TaskNotFoundError',
    });
    const stillWaiting = await handler.getTask(
      { tenant: '', id: taskA.id },
      ctx(await sign(alpha, ALPHA)),
    );
    expect(stillWaiting.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    expect(stillWaiting.history).toEqual(before.history);
    expect(JSON.stringify(stillWaiting.history)).not.toContain('hijack');
  });

  it('an unsigned passport claiming a client id gets nothing of that client', async () => {
    const { alpha, handler } = await setup('anonymous');
    const taskA = await send(handler, await sign(alpha, ALPHA), 'alpha secret work');
    const claim = { clientId: ALPHA, state: {} };
    expect(
      await rejection(handler.getTask({ tenant: '', id: taskA.id }, ctx(claim))),
    ).toMatchObject({ name: 'TaskNotFoundError' });
    expect((await handler.listTasks(listRequest, ctx(claim))).tasks).toEqual([]);
    // It lands in the anonymous scope, shared by every unverified caller.
    const anonymousTask = await send(handler, claim, 'anonymous work');
    expect((await handler.getTask({ tenant: '', id: anonymousTask.id }, ctx())).id).toBe(
      anonymousTask.id,
    );
  });

  it("'reject': the store refuses calls without a verified passport; require: 'verified' refuses them first", async () => {
    const backstop = await setup('reject', 'none');
    expect(await rejection(backstop.handler.listTasks(listRequest, ctx()))).toBeInstanceOf(
      ScopeResolutionError,
    );
    const strict = await setup('reject', 'verified');
    const refused = await rejection(
      strict.handler.listTasks(listRequest, ctx({ clientId: ALPHA, state: {} })),
    );
    expect(refused).toBeInstanceOf(PassportRejectedError);
    expect(refused).toMatchObject({ passportStatus: 'unsigned' });
  });

  it("'fallback': unverified calls use the fallback (the authenticated user); passport owners stay reserved", async () => {
    const { alpha, handler } = await setup('fallback');
    const alice = new NamedUser('alice');
    const aliceTask = await send(handler, undefined, 'alice work', '', alice);
    const alphaTask = await send(handler, await sign(alpha, ALPHA), 'alpha work');
    expect(
      (await handler.listTasks(listRequest, ctx(undefined, alice))).tasks.map((t) => t.id),
    ).toEqual([aliceTask.id]);
    expect(
      (await handler.listTasks(listRequest, ctx(await sign(alpha, ALPHA)))).tasks.map((t) => t.id),
    ).toEqual([alphaTask.id]);
    // A user named like a passport owner could otherwise read alpha's tasks.
    const impostor = new NamedUser(passportOwner(ALPHA));
    expect(
      await rejection(handler.listTasks(listRequest, ctx(undefined, impostor))),
    ).toBeInstanceOf(ScopeResolutionError);
    // The default fallback refuses anonymous calls.
    expect(await rejection(handler.listTasks(listRequest, ctx()))).toBeInstanceOf(
      ScopeResolutionError,
    );
  });

  it('a replayed header passport is refused', async () => {
    const { alpha, handler } = await setup('reject');
    const passport = await sign(alpha, ALPHA);
    await handler.listTasks(listRequest, ctx(passport));
    expect(await rejection(handler.listTasks(listRequest, ctx(passport)))).toMatchObject({
      passportReason: 'replayed',
    });
  });

  it('fails loudly when no passport handler ran for the call', () => {
    const resolver = passportScopeResolver({ unsigned: 'anonymous' });
    expect(() => resolver(new ServerCallContext())).toThrow(/PassportRequestHandler/);
    expect(() => passportScopeResolver({ unsigned: 'maybe' as 'reject' })).toThrow(TypeError);
  });
});

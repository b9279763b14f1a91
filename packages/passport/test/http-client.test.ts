import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AGENT_CARD_PATH, type Task, TaskState } from '@a2a-js/sdk';
import { type CallInterceptor, ClientFactory, ClientFactoryOptions } from '@a2a-js/sdk/client';
import { DefaultRequestHandler } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import { createMemoryStores } from '@a2a-stores/core';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MemoryReplayCache,
  type PassportInterceptorOptions,
  PassportRequestHandler,
  passportAudiences,
  passportInterceptor,
  passportScopeResolver,
  SECURE_PASSPORT_URI,
  staticKeyResolver,
} from '../src/index.js';
import {
  answerOf,
  makeKey,
  PassportEchoExecutor,
  type TestKey,
  testCard,
  textOf,
  userMessage,
} from './helpers.js';

const ALPHA = 'a2a://alpha-orchestrator.com';
const BETA = 'a2a://beta-orchestrator.com';

/** A real agent over HTTP (JSON-RPC), called through the SDK client with the passport interceptor. */
describe('passportInterceptor through the SDK client over real HTTP', () => {
  let server: Server;
  let baseUrl: string;
  let alpha: TestKey;
  let beta: TestKey;

  beforeAll(async () => {
    alpha = await makeKey('EdDSA');
    beta = await makeKey('ES256');
    const app = express();
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const card = testCard(`${baseUrl}/a2a/jsonrpc`);
    const stores = createMemoryStores({
      scopeResolver: passportScopeResolver({ unsigned: 'anonymous' }),
    });
    const handler = new PassportRequestHandler(
      new DefaultRequestHandler(card, stores.taskStore, new PassportEchoExecutor()),
      {
        keys: staticKeyResolver({
          [ALPHA]: { keys: [alpha.publicJwk] },
          [BETA]: { keys: [beta.publicJwk] },
        }),
        audience: passportAudiences(card),
        replayCache: new MemoryReplayCache(),
      },
    );
    app.use(`/${AGENT_CARD_PATH}`, agentCardHandler({ agentCardProvider: handler }));
    app.use(
      '/a2a/jsonrpc',
      jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }),
    );
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function client(options: PassportInterceptorOptions, extra: CallInterceptor[] = []) {
    const factory = new ClientFactory(
      ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
        clientConfig: { interceptors: [passportInterceptor(options), ...extra] },
      }),
    );
    return factory.createFromUrl(baseUrl);
  }

  const send = (text: string) => ({
    message: userMessage(text),
    configuration: undefined,
    metadata: undefined,
    tenant: '',
  });
  const listAll = {
    tenant: '',
    contextId: '',
    status: TaskState.TASK_STATE_UNSPECIFIED,
    pageToken: '',
    statusTimestampAfter: undefined,
  };

  it('signs every call; each client sees only its own tasks, on message and non-message calls', async () => {
    const alphaClient = await client({
      clientId: ALPHA,
      state: { user_preferred_currency: 'GBP' },
      signing: { privateKey: alpha.privateKey, kid: alpha.kid, alg: alpha.alg },
    });
    const betaClient = await client({
      clientId: BETA,
      state: () => ({ user_preferred_currency: 'EUR' }),
      signing: { privateKey: beta.privateKey, kid: beta.kid, alg: beta.alg },
    });
    const taskA = (await alphaClient.sendMessage(send('convert 10 USD'))) as Task;
    expect(answerOf(taskA)).toBe(`verified ${ALPHA} currency=GBP`);
    const taskB = (await betaClient.sendMessage(send('convert 20 USD'))) as Task;
    expect(answerOf(taskB)).toBe(`verified ${BETA} currency=EUR`);

    expect((await alphaClient.getTask({ tenant: '', id: taskA.id })).id).toBe(taskA.id);
    await expect(betaClient.getTask({ tenant: '', id: taskA.id })).rejects.toThrow(/not found/i);
    expect((await alphaClient.listTasks(listAll)).tasks.map((task) => task.id)).toEqual([taskA.id]);
    expect((await betaClient.listTasks(listAll)).tasks.map((task) => task.id)).toEqual([taskB.id]);
  });

  it('signs streamed messages too', async () => {
    const alphaClient = await client({
      clientId: ALPHA,
      sessionId: 'stream-session',
      state: { user_preferred_currency: 'JPY' },
      signing: { privateKey: alpha.privateKey, kid: alpha.kid, alg: alpha.alg },
    });
    const texts: string[] = [];
    for await (const event of alphaClient.sendMessageStream(send('stream please'))) {
      if (event.payload?.$case === 'statusUpdate')
        texts.push(textOf(event.payload.value.status?.message));
    }
    expect(texts).toContain(`verified ${ALPHA} session=stream-session currency=JPY`);
  });

  it('sends unsigned passports when no key is given (retail, low-risk)', async () => {
    const retail = await client({
      clientId: 'a2a://ecommerce-front.com',
      state: { product_sku: 'Nikon-Z-50mm-f1.8' },
    });
    const task = (await retail.sendMessage(send('reviews?'))) as Task;
    expect(answerOf(task)).toBe('unsigned a2a://ecommerce-front.com');
  });

  it('a passport altered after signing is refused by the server', async () => {
    const tamper: CallInterceptor = {
      async before(args) {
        const input = args.input;
        if (input?.method !== 'sendMessage' || !input.value.message?.metadata) return;
        const passport = input.value.message.metadata[SECURE_PASSPORT_URI];
        passport.state = { ...passport.state, user_preferred_currency: 'XAU' };
      },
      async after() {},
    };
    const alphaClient = await client(
      {
        clientId: ALPHA,
        state: { user_preferred_currency: 'GBP' },
        signing: { privateKey: alpha.privateKey, kid: alpha.kid, alg: alpha.alg },
      },
      [tamper],
    );
    await expect(alphaClient.sendMessage(send('convert'))).rejects.toThrow(/bad_signature/);
  });

  it('a passport signed for another agent is refused', async () => {
    const alphaClient = await client({
      clientId: ALPHA,
      audience: 'https://some-other-agent.example/a2a',
      signing: { privateKey: alpha.privateKey, kid: alpha.kid, alg: alpha.alg },
    });
    await expect(alphaClient.sendMessage(send('convert'))).rejects.toThrow(/wrong_audience/);
  });
});

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Task, TaskState } from '@a2a-js/sdk';
import type { CallInterceptor, Client } from '@a2a-js/sdk/client';
import {
  type PassportInterceptorOptions,
  passportInterceptor,
  SECURE_PASSPORT_URI,
} from '@a2a-stores/passport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE,
  BOB,
  connect,
  getTask,
  newTenant,
  sendForTask,
  textOf,
  userMessage,
} from './support/a2a-client.js';
import { STEP_MS } from './support/agent-fixture.js';
import { type AgentProcess, startAgent } from './support/agent-process.js';

// The agent as a real child process on a fresh SQLite file, trusting two calling agents through
// A2A_PASSPORT_JWKS, driven over HTTP by the SDK client with the passport package's interceptor.
// Configured policy (src/server.ts, src/passport.ts): passports optional; a verified one scopes
// by client id; a signed one that fails verification is refused (JSON-RPC -32602) and nothing is
// stored; an unsigned one's currency is used but its scope is the bearer user / anonymous one.
const ORCHESTRATOR = 'a2a://travel-orchestrator.example';
const SHOP = 'a2a://shop.example';

interface SigningKey {
  readonly privateKey: KeyObject;
  readonly kid: string;
  readonly publicJwk: Record<string, unknown>;
}

function ed25519(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    kid,
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' },
  };
}

const orchestratorKey = ed25519('orchestrator-2026');
const shopKey = ed25519('shop-2026');
// Claims to be the orchestrator, signs with a key the agent was never given.
const rogueKey = ed25519('orchestrator-rogue');

const directory = mkdtempSync(path.join(tmpdir(), 'durable-agent-passport-'));
let agent: AgentProcess | undefined;

beforeAll(async () => {
  const jwksFile = path.join(directory, 'passport-jwks.json');
  writeFileSync(
    jwksFile,
    JSON.stringify({
      [ORCHESTRATOR]: { keys: [orchestratorKey.publicJwk] },
      [SHOP]: { keys: [shopKey.publicJwk] },
    }),
  );
  agent = await startAgent({
    storeUrl: `sqlite:${path.join(directory, 'agent.db')}`,
    stepMs: STEP_MS,
    devMode: false,
    extra: { A2A_PASSPORT_JWKS: jwksFile },
  });
});

afterAll(async () => {
  if (process.env.DUMP_AGENT_OUTPUT) console.log(agent?.output());
  await agent?.stop('SIGKILL');
  rmSync(directory, { recursive: true, force: true });
});

function baseUrl(): string {
  if (!agent) throw new Error('the agent did not start');
  return agent.baseUrl;
}

function signedBy(key: SigningKey): PassportInterceptorOptions['signing'] {
  return { privateKey: key.privateKey, kid: key.kid, alg: 'EdDSA' };
}

/** An SDK client whose every call carries a passport (signed when `signing` is given). */
function passportClient(
  passport: PassportInterceptorOptions,
  options: {
    credentials?: string;
    transport?: 'JSONRPC' | 'HTTP+JSON';
    after?: CallInterceptor[];
  } = {},
): Promise<Client> {
  return connect(baseUrl(), options.credentials, options.transport, [
    passportInterceptor(passport),
    ...(options.after ?? []),
  ]);
}

function orchestrator(currency = 'EUR', transport?: 'JSONRPC' | 'HTTP+JSON'): Promise<Client> {
  return passportClient(
    {
      clientId: ORCHESTRATOR,
      state: { user_preferred_currency: currency },
      signing: signedBy(orchestratorKey),
    },
    { transport },
  );
}

function shop(): Promise<Client> {
  return passportClient({
    clientId: SHOP,
    state: { user_preferred_currency: 'JPY' },
    signing: signedBy(shopKey),
  });
}

function report(task: Task): string {
  return textOf(task.artifacts[0]?.parts ?? []);
}

async function listedIds(client: Client, tenant: string): Promise<string[]> {
  const page = await client.listTasks({
    tenant,
    contextId: '',
    status: TaskState.TASK_STATE_UNSPECIFIED,
    pageToken: '',
    statusTimestampAfter: undefined,
  });
  return page.tasks.map((task) => task.id).sort();
}

const notFound = { name: 'TaskNotFoundError' };

describe('durable agent with Secure Passports (sqlite, over HTTP)', () => {
  it('declares the extension on its card with the state key it uses', async () => {
    const response = await fetch(`${baseUrl()}/.well-known/agent-card.json`);
    const card = (await response.json()) as {
      capabilities: { extensions: { uri: string; required?: boolean; params?: unknown }[] };
    };
    const declared = card.capabilities.extensions.filter((e) => e.uri === SECURE_PASSPORT_URI);
    expect(declared).toHaveLength(1);
    expect(declared[0]?.params).toEqual({ supportedStateKeys: ['user_preferred_currency'] });
    expect(declared[0]?.required ?? false).toBe(false);
    // The SDK client reads the same declaration.
    const sdkCard = await (await orchestrator()).getAgentCard();
    expect(sdkCard.capabilities?.extensions.map((e) => e.uri)).toContain(SECURE_PASSPORT_URI);
  });

  it("uses a verified passport's preferred currency in the answer, on JSON-RPC and REST", async () => {
    const tenant = newTenant();
    const viaJsonRpc = await sendForTask(await orchestrator('EUR'), tenant, userMessage('report'));
    expect(viaJsonRpc.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(report(viaJsonRpc)).toBe(
      'Report for you: 3 step(s) of careful work, all done. Prices shown in EUR.',
    );
    const rest = await orchestrator('CHF', 'HTTP+JSON');
    expect(rest.transport.protocolName).toBe('HTTP+JSON');
    const viaRest = await sendForTask(rest, tenant, userMessage('report, steps: 1'));
    expect(report(viaRest)).toContain('Prices shown in CHF.');
    // Without a passport there is no currency line.
    const plain = await sendForTask(await connect(baseUrl(), ALICE), tenant, userMessage('report'));
    expect(report(plain)).not.toContain('Prices shown');
    // A state value that is not a currency code is not echoed.
    const odd = await sendForTask(await orchestrator('<b>€</b>'), tenant, userMessage('report'));
    expect(report(odd)).not.toContain('Prices shown');
  });

  it("two verified client ids never see each other's tasks (get, list, cancel, follow-up)", async () => {
    const tenant = newTenant();
    const orch = await orchestrator();
    const shopClient = await shop();
    const alice = await connect(baseUrl(), ALICE);
    const orchTask = await sendForTask(orch, tenant, userMessage('ask me first'));
    expect(orchTask.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const shopTask = await sendForTask(shopClient, tenant, userMessage('report, steps: 1'));
    const alicesTask = await sendForTask(alice, tenant, userMessage('report, steps: 1'));

    // The passport rides in a header on calls without a message: each reads its own task back.
    expect((await getTask(orch, tenant, orchTask.id)).id).toBe(orchTask.id);
    expect((await getTask(await orchestrator('EUR', 'HTTP+JSON'), tenant, orchTask.id)).id).toBe(
      orchTask.id,
    );
    expect((await getTask(shopClient, tenant, shopTask.id)).id).toBe(shopTask.id);

    for (const [reader, foreign] of [
      [shopClient, orchTask],
      [orch, shopTask],
      [alice, orchTask],
      [orch, alicesTask],
    ] as const) {
      await expect(getTask(reader, tenant, foreign.id)).rejects.toMatchObject(notFound);
      await expect(
        reader.cancelTask({ tenant, id: foreign.id, metadata: undefined }),
      ).rejects.toMatchObject(notFound);
    }
    await expect(
      sendForTask(
        shopClient,
        tenant,
        userMessage('hijack', { taskId: orchTask.id, contextId: orchTask.contextId }),
      ),
    ).rejects.toMatchObject(notFound);

    expect(await listedIds(orch, tenant)).toEqual([orchTask.id]);
    expect(await listedIds(shopClient, tenant)).toEqual([shopTask.id]);
    expect(await listedIds(alice, tenant)).toEqual([alicesTask.id]);
    expect(await listedIds(await connect(baseUrl(), undefined), tenant)).toEqual([]);

    // The orchestrator's parked question is untouched and it can still answer it.
    const answered = await sendForTask(
      orch,
      tenant,
      userMessage('Ada', { taskId: orchTask.id, contextId: orchTask.contextId }),
    );
    expect(answered.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(report(answered)).toBe(
      'Report for Ada: 3 step(s) of careful work, all done. Prices shown in EUR.',
    );
    expect(answered.history.map((m) => textOf(m.parts))).not.toContain('hijack');
  });

  it('refuses a tampered, wrong-audience or unknown-key passport, and stores nothing', async () => {
    const tenant = newTenant();
    const tamper: CallInterceptor = {
      async before(args) {
        const input = args.input;
        if (input?.method !== 'sendMessage' || !input.value.message?.metadata) return;
        const passport = input.value.message.metadata[SECURE_PASSPORT_URI];
        passport.state = { ...passport.state, user_preferred_currency: 'XAU' };
      },
      async after() {},
    };
    const tampered = await passportClient(
      {
        clientId: ORCHESTRATOR,
        state: { user_preferred_currency: 'EUR' },
        signing: signedBy(orchestratorKey),
      },
      { after: [tamper] },
    );
    await expect(sendForTask(tampered, tenant, userMessage('report'))).rejects.toThrow(
      /bad_signature/,
    );

    const elsewhere = await passportClient({
      clientId: ORCHESTRATOR,
      state: { user_preferred_currency: 'EUR' },
      signing: signedBy(orchestratorKey),
      audience: 'https://another-agent.example/a2a/jsonrpc',
    });
    await expect(sendForTask(elsewhere, tenant, userMessage('report'))).rejects.toThrow(
      /wrong_audience/,
    );

    const rogue = await passportClient({
      clientId: ORCHESTRATOR,
      state: { user_preferred_currency: 'EUR' },
      signing: signedBy(rogueKey),
    });
    await expect(sendForTask(rogue, tenant, userMessage('report'))).rejects.toThrow(/unknown_key/);
    // The header carrier is checked the same way: a rogue read is refused, not served anonymously.
    await expect(listedIds(rogue, tenant)).rejects.toThrow(/unknown_key/);

    // Refused before the SDK handler ran: no task in the orchestrator's scope, nor anonymously.
    expect(await listedIds(await orchestrator(), tenant)).toEqual([]);
    expect(await listedIds(await connect(baseUrl(), undefined), tenant)).toEqual([]);
  });

  it("uses an unsigned passport's currency but scopes its task like a call without one", async () => {
    const tenant = newTenant();
    const unsignedAnonymous = await passportClient({
      clientId: ORCHESTRATOR,
      state: { user_preferred_currency: 'GBP' },
    });
    const anonTask = await sendForTask(unsignedAnonymous, tenant, userMessage('report'));
    expect(report(anonTask)).toContain('Prices shown in GBP.');

    const unsignedAlice = await passportClient(
      { clientId: SHOP, state: { user_preferred_currency: 'USD' } },
      { credentials: ALICE },
    );
    const alicesTask = await sendForTask(unsignedAlice, tenant, userMessage('report'));
    expect(report(alicesTask)).toContain('Prices shown in USD.');

    // Scoped like the fallback: the anonymous scope and alice's scope, not the claimed client ids.
    const anonymous = await connect(baseUrl(), undefined);
    const alice = await connect(baseUrl(), ALICE);
    expect(await listedIds(anonymous, tenant)).toEqual([anonTask.id]);
    expect(await listedIds(alice, tenant)).toEqual([alicesTask.id]);
    expect((await getTask(alice, tenant, alicesTask.id)).id).toBe(alicesTask.id);
    expect(await listedIds(await connect(baseUrl(), BOB), tenant)).toEqual([]);
    // The genuine clients those passports named get nothing of them.
    const orch = await orchestrator();
    expect(await listedIds(orch, tenant)).toEqual([]);
    await expect(getTask(orch, tenant, anonTask.id)).rejects.toMatchObject(notFound);
    expect(await listedIds(await shop(), tenant)).toEqual([]);
  });
});

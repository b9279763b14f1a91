import type { Client } from '@a2a-js/sdk/client';
import { startWebhookReceiver, type WebhookReceiver } from '@a2a-stores/test-backends';
import { afterAll, beforeAll } from 'vitest';
import { connect } from './a2a-client.js';
import { type AgentProcess, startAgent } from './agent-process.js';

/** A store the end-to-end run talks to, and the adapter package that URL needs. */
export interface E2eStore {
  readonly name: string;
  readonly packageName: string;
  /** Resolves the `A2A_STORE_URL`; may throw (e.g. no database reachable), failing every test. */
  storeUrl(): Promise<string>;
}

/** Short steps keep the runs quick. */
export const STEP_MS = 100;

/** The agent and webhook receiver of one end-to-end suite, valid inside its tests. */
export interface AgentFixture {
  /** The running agent, or the reason it could not start (so each test fails with it). */
  running(): AgentProcess;
  /** The local webhook receiver every push config of the suite points at. */
  receiver(): WebhookReceiver;
  /** Stops the agent with `signal`, starts a new one on the same store, reports the old exit. */
  restart(signal: NodeJS.Signals): Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    output: string;
  }>;
  /** An SDK client of the running agent (anonymous when `credentials` is undefined). */
  as(credentials: string | undefined, transport?: 'JSONRPC' | 'HTTP+JSON'): Promise<Client>;
}

/**
 * Registers, in the enclosing `describe`, a local webhook receiver and the agent as a child
 * process on `store`, started in development mode so webhooks on the receiver (http on
 * 127.0.0.1) are accepted: every push notification of the suite stays on this machine.
 */
export function useAgentFixture(store: E2eStore): AgentFixture {
  let storeUrl: string | undefined;
  let setupError: Error | undefined;
  let agent: AgentProcess | undefined;
  let hooks: WebhookReceiver | undefined;

  // Short leases: a task the killed agent ran is recovered by the restarted one within seconds.
  const start = (url: string) =>
    startAgent({
      storeUrl: url,
      stepMs: STEP_MS,
      devMode: true,
      extra: { A2A_AGENT_LEASE_MS: '1500', A2A_AGENT_SWEEP_MS: '200' },
    });
  const running = (): AgentProcess => {
    if (setupError) throw setupError;
    if (!agent) throw new Error('the agent is not running');
    return agent;
  };

  beforeAll(async () => {
    // A failure here (no database, or an adapter package not built yet: the agent then exits
    // saying so) is rethrown by every test, so the run fails loudly instead of skipping.
    try {
      hooks = await startWebhookReceiver();
      storeUrl = await store.storeUrl();
      agent = await start(storeUrl);
    } catch (error) {
      setupError = new Error(
        `the agent could not start on ${store.name} (needs ${store.packageName}): ${(error as Error).message}`,
      );
    }
  });

  afterAll(async () => {
    if (process.env.DUMP_AGENT_OUTPUT) console.log(agent?.output());
    await agent?.stop('SIGKILL');
    await hooks?.close();
  });

  return {
    running,
    receiver: () => {
      running();
      return hooks as WebhookReceiver;
    },
    restart: async (signal) => {
      const old = running();
      const exit = await old.stop(signal);
      agent = undefined;
      agent = await start(storeUrl as string);
      return { ...exit, output: old.output() };
    },
    as: (credentials, transport) => connect(running().baseUrl, credentials, transport),
  };
}

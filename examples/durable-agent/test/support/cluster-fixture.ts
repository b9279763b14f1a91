import type { Client } from '@a2a-js/sdk/client';
import { startWebhookReceiver, type WebhookReceiver, waitFor } from '@a2a-stores/test-backends';
import { afterAll, beforeAll } from 'vitest';
import { connect } from './a2a-client.js';
import { type AgentProcess, startAgent } from './agent-process.js';
import type { ClusterStore, ClusterStoreKind } from './cluster-stores.js';

/** Small timings: a step is long enough to act in the middle of a task, a lease short to expire. */
export const CLUSTER_TIMING = { stepMs: 150, leaseMs: 1500, sweepMs: 200 } as const;

/** Several agent processes on one fresh store: one cluster. */
export interface ClusterFixture {
  /** A worker started with the fixture, by name. */
  worker(name: string): AgentProcess;
  /** An SDK client of a worker (anonymous when `credentials` is undefined). */
  as(name: string, credentials: string | undefined): Promise<Client>;
  /** Starts one more worker on the store (stopped with the others), e.g. one to kill. */
  startWorker(name: string): Promise<AgentProcess>;
  receiver(): WebhookReceiver;
  /** The store's URL (a fresh database or server of this fixture). */
  storeUrl(): string;
}

/** Executions running on a worker, from its liveness probe. */
export async function runningTasks(worker: AgentProcess): Promise<number> {
  const response = await fetch(`${worker.baseUrl}/livez`);
  return ((await response.json()) as { runningTasks: number }).runningTasks;
}

/** Waits until `worker` runs no execution. */
export function waitIdle(worker: AgentProcess, timeoutMs = 15_000): Promise<void> {
  return waitFor(
    `no execution running on ${worker.baseUrl}`,
    async () => (await runningTasks(worker)) === 0,
    timeoutMs,
  );
}

/**
 * Registers, in the enclosing `describe`, a fresh store of `kind`, a webhook receiver and one
 * agent process per name, all in development mode (webhooks on the loopback receiver) with
 * {@link CLUSTER_TIMING} and the given recovery policy. A setup failure fails every test.
 */
export function useCluster(
  kind: ClusterStoreKind,
  names: readonly string[],
  recovery: 'fail' | 'resume' | 'leave' = 'fail',
): ClusterFixture {
  let store: ClusterStore | undefined;
  let hooks: WebhookReceiver | undefined;
  let setupError: Error | undefined;
  const workers = new Map<string, AgentProcess>();
  const extra: AgentProcess[] = [];

  const start = (url: string) =>
    startAgent({
      storeUrl: url,
      stepMs: CLUSTER_TIMING.stepMs,
      devMode: true,
      extra: {
        A2A_AGENT_LEASE_MS: String(CLUSTER_TIMING.leaseMs),
        A2A_AGENT_SWEEP_MS: String(CLUSTER_TIMING.sweepMs),
        A2A_AGENT_RECOVERY: recovery,
      },
    });

  beforeAll(async () => {
    try {
      hooks = await startWebhookReceiver();
      store = await kind.create();
      const url = store.url;
      const started = await Promise.allSettled(names.map(() => start(url)));
      started.forEach((result, i) => {
        if (result.status === 'fulfilled') workers.set(names[i] as string, result.value);
      });
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    } catch (error) {
      setupError = new Error(
        `the cluster could not start on ${kind.name} (needs ${kind.packageName}): ${(error as Error).message}`,
      );
    }
  }, 120_000);

  afterAll(async () => {
    const all = [...workers.values(), ...extra];
    if (process.env.DUMP_AGENT_OUTPUT) for (const worker of all) console.log(worker.output());
    await Promise.all(all.map((worker) => worker.stop('SIGKILL')));
    await hooks?.close();
    await store?.drop();
  }, 60_000);

  const worker = (name: string): AgentProcess => {
    if (setupError) throw setupError;
    const found = workers.get(name);
    if (!found) throw new Error(`no worker ${name}`);
    return found;
  };
  return {
    worker,
    as: (name, credentials) => connect(worker(name).baseUrl, credentials),
    startWorker: async (name) => {
      if (setupError) throw setupError;
      const started = await start((store as ClusterStore).url);
      extra.push(started);
      workers.set(name, started);
      return started;
    },
    receiver: () => {
      if (setupError) throw setupError;
      return hooks as WebhookReceiver;
    },
    storeUrl: () => {
      if (setupError) throw setupError;
      return (store as ClusterStore).url;
    },
  };
}

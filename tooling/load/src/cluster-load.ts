import { randomUUID } from 'node:crypto';
import { TaskState, taskStateToJSON } from '@a2a-js/sdk';
import { startRedisInstance } from '@a2a-stores/test-backends';
import { connect, USERS } from './a2a.js';
import { type LoadedAgent, startLoadedAgent } from './agent-process.js';
import { startClusterHookReceiver } from './cluster-hooks.js';
import {
  CLUSTER_OPERATIONS,
  type ClusterClient,
  type ClusterLoadContext,
  type ClusterOperation,
  ClusterTally,
  runClusterClient,
} from './cluster-scenarios.js';
import { seededRandom } from './scenarios.js';
import { prepareStore, type StoreTarget } from './store-targets.js';

export const CLUSTER_BACKENDS = ['redis', 'postgres'] as const;
export type ClusterBackend = (typeof CLUSTER_BACKENDS)[number];

/** One multi-worker load run's settings. */
export interface ClusterLoadOptions {
  readonly durationSec: number;
  readonly clients: number;
  readonly workers: number;
  readonly stepMs: number;
  /** The workers' `A2A_AGENT_LEASE_MS` and `A2A_AGENT_SWEEP_MS`. */
  readonly leaseMs: number;
  readonly sweepMs: number;
}

/** What one backend's multi-worker run measured, and its verdict. */
export interface ClusterLoadResult {
  readonly backend: ClusterBackend;
  readonly workers: number;
  readonly clients: number;
  readonly elapsedSec: number;
  readonly calls: number;
  readonly operations: Readonly<Record<ClusterOperation, { ok: number; failed: number }>>;
  readonly failureSamples: Readonly<Record<string, readonly string[]>>;
  readonly tasks: number;
  /** Tasks still submitted, working or input-required after the settle wait. */
  readonly nonTerminal: number;
  /** The same, by state name. */
  readonly nonTerminalByState: Readonly<Record<string, number>>;
  readonly webhooks: {
    hooks: number;
    deliveries: number;
    duplicates: number;
    missingFinal: number;
  };
  readonly agentErrorLines: number;
  /** Warning and error lines of all workers, by message (no ids or content in them). */
  readonly agentLogLines: Readonly<Record<string, number>>;
  readonly agentExitCodes: readonly (number | null)[];
  readonly passed: boolean;
}

const SETTLE_TIMEOUT_MS = 30_000;
const TERMINAL = new Set<TaskState | undefined>([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_FAILED,
]);

async function freshStore(backend: ClusterBackend): Promise<StoreTarget> {
  if (backend === 'postgres') return prepareStore('postgres');
  const redis = await startRedisInstance();
  return {
    url: redis.url,
    description: `redis, private server ${redis.url}`,
    dispose: () => redis.stop(),
  };
}

async function idle(agent: LoadedAgent): Promise<boolean> {
  const response = await fetch(`${agent.baseUrl}/livez`);
  return ((await response.json()) as { runningTasks: number }).runningTasks === 0;
}

/** Polls (bounded) until no worker runs an execution. */
async function drained(agents: readonly LoadedAgent[], timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    if ((await Promise.all(agents.map(idle))).every(Boolean)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Reads every task the run created (8 at a time); counts those not in a final state, by state. */
async function countNonTerminal(ctx: ClusterLoadContext): Promise<Record<string, number>> {
  const byState: Record<string, number> = {};
  const queue = [...ctx.tally.tasks];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let next = queue.pop(); next; next = queue.pop()) {
        const task = await next.client.getTask({ tenant: ctx.tenant, id: next.id });
        const state = task.status?.state;
        if (TERMINAL.has(state)) continue;
        const name = state === undefined ? 'none' : taskStateToJSON(state);
        byState[name] = (byState[name] ?? 0) + 1;
      }
    }),
  );
  return byState;
}

/**
 * `workers` agent processes on one fresh store of `backend` (one cluster), `clients` SDK clients
 * each holding one client per worker, running the cross-worker mix for `durationSec`; then a
 * bounded settle, every created task read back, and the webhook counts.
 */
export async function runClusterLoad(
  backend: ClusterBackend,
  options: ClusterLoadOptions,
  progress: (line: string) => void,
): Promise<ClusterLoadResult> {
  const store = await freshStore(backend);
  const hooks = await startClusterHookReceiver();
  const agents: LoadedAgent[] = [];
  const exits: (number | null)[] = [];
  try {
    const started = await Promise.allSettled(
      Array.from({ length: options.workers }, () =>
        startLoadedAgent({
          storeUrl: store.url,
          stepMs: options.stepMs,
          steps: 3,
          extraEnv: {
            A2A_AGENT_LEASE_MS: String(options.leaseMs),
            A2A_AGENT_SWEEP_MS: String(options.sweepMs),
          },
        }),
      ),
    );
    for (const result of started) if (result.status === 'fulfilled') agents.push(result.value);
    const failedStart = started.find((result) => result.status === 'rejected');
    if (failedStart) throw (failedStart as PromiseRejectedResult).reason;

    const clients: ClusterClient[] = await Promise.all(
      Array.from({ length: options.clients }, async (_, index) => ({
        perWorker: await Promise.all(
          agents.map((agent) => connect(agent.baseUrl, USERS[index % 2] as string)),
        ),
        random: seededRandom(index + 1),
        known: [],
      })),
    );
    const begin = performance.now();
    const ctx: ClusterLoadContext = {
      tally: new ClusterTally(),
      hooks,
      tenant: `cluster-load-${randomUUID()}`,
      deadline: begin + options.durationSec * 1000,
    };
    progress(
      `${backend}: ${options.workers} workers, ${options.clients} clients, ${options.durationSec} s`,
    );
    const ticker = setInterval(() => {
      progress(`${backend}: ${ctx.tally.calls} scenarios, ${ctx.tally.failures()} failed`);
    }, 15_000);
    try {
      await Promise.all(clients.map((client) => runClusterClient(ctx, client)));
    } finally {
      clearInterval(ticker);
    }
    const elapsedSec = (performance.now() - begin) / 1000;

    await drained(agents, SETTLE_TIMEOUT_MS);
    await hooks.settle(SETTLE_TIMEOUT_MS);
    const nonTerminalByState = await countNonTerminal(ctx);
    const nonTerminal = Object.values(nonTerminalByState).reduce((sum, count) => sum + count, 0);
    const counts = hooks.counts();
    const missingFinal = hooks.waiting().length;
    const agentErrorLines = agents.reduce((sum, agent) => sum + agent.log().errorLines, 0);
    const agentLogLines: Record<string, number> = {};
    for (const agent of agents) {
      for (const [line, count] of Object.entries(agent.log().byMessage)) {
        agentLogLines[line] = (agentLogLines[line] ?? 0) + count;
      }
    }
    for (const agent of agents.splice(0)) exits.push((await agent.stop()).code);

    const operations = Object.fromEntries(
      CLUSTER_OPERATIONS.map((operation) => [
        operation,
        { ok: ctx.tally.ok.get(operation) ?? 0, failed: ctx.tally.failed.get(operation) ?? 0 },
      ]),
    ) as ClusterLoadResult['operations'];
    return {
      backend,
      workers: options.workers,
      clients: options.clients,
      elapsedSec,
      calls: ctx.tally.calls,
      operations,
      failureSamples: Object.fromEntries(ctx.tally.samples),
      tasks: ctx.tally.tasks.length,
      nonTerminal,
      nonTerminalByState,
      webhooks: { ...counts, missingFinal },
      agentErrorLines,
      agentLogLines,
      agentExitCodes: exits,
      passed:
        ctx.tally.failures() === 0 &&
        nonTerminal === 0 &&
        counts.duplicates === 0 &&
        missingFinal === 0 &&
        agentErrorLines === 0 &&
        exits.every((code) => code === 0),
    };
  } finally {
    await Promise.all(agents.map((agent) => agent.stop()));
    await hooks.close();
    await store.dispose();
  }
}

/** The run's figures as a few lines of text. */
export function describeClusterLoad(result: ClusterLoadResult): string {
  const ops = Object.entries(result.operations)
    .map(([name, { ok, failed }]) => `${name} ${ok}${failed ? ` (${failed} failed)` : ''}`)
    .join(', ');
  const { hooks, deliveries, duplicates, missingFinal } = result.webhooks;
  return [
    `${result.backend}: ${result.workers} workers, ${result.clients} clients, ${result.elapsedSec.toFixed(0)} s: ${result.passed ? 'PASSED' : 'FAILED'}`,
    `  scenarios ${result.calls}: ${ops}`,
    `  tasks ${result.tasks}, non-terminal at the end ${result.nonTerminal}${describeStates(result.nonTerminalByState)}`,
    `  webhooks ${hooks}, deliveries ${deliveries}, duplicates ${duplicates}, missing final event ${missingFinal}`,
    `  agent error lines ${result.agentErrorLines}, exit codes ${result.agentExitCodes.join(', ')}`,
    ...Object.entries(result.agentLogLines).map(
      ([line, count]) => `  agent log: ${count} × ${line}`,
    ),
    ...Object.entries(result.failureSamples).map(
      ([op, samples]) => `  ${op} failures: ${samples.join(' | ')}`,
    ),
  ].join('\n');
}

function describeStates(byState: Readonly<Record<string, number>>): string {
  const entries = Object.entries(byState);
  return entries.length === 0
    ? ''
    : ` (${entries.map(([state, count]) => `${state} ${count}`).join(', ')})`;
}

import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { connect, USERS } from './a2a.js';
import { type AgentLogSummary, startLoadedAgent } from './agent-process.js';
import type { BackendName, LoadOptions } from './options.js';
import { type ErrorCount, type OperationResult, Recorder } from './recorder.js';
import { type RssSample, startRssSampler } from './rss.js';
import { type LoadClient, type LoadContext, runClient, seededRandom } from './scenarios.js';
import { slope } from './stats.js';
import { prepareStore } from './store-targets.js';
import { startLoadWebhookReceiver } from './webhook-receiver.js';

/** Work steps of each task (`A2A_AGENT_STEPS`); the cancel scenario asks for 100. */
export const AGENT_STEPS = 3;
const CALL_TIMEOUT_MS = 30_000;
/** Bounded wait after the load for webhook deliveries and canceled executions to finish. */
export const SETTLE_TIMEOUT_MS = 20_000;

/** The agent's memory over the run, in KiB, and the verdict against the bound. */
export interface MemoryResult {
  readonly startKiB: number;
  /** Median of the first 10 s after warm-up. */
  readonly afterWarmupKiB: number;
  readonly peakKiB: number;
  /** Median of the last 10 s of load. */
  readonly endKiB: number;
  readonly growthKiB: number;
  /** How the growth splits into anonymous (heap, native), file-backed and shared pages. */
  readonly growthParts: { anonKiB: number; fileKiB: number; shmemKiB: number };
  readonly boundKiB: number;
  /** Least-squares trend of the samples after warm-up, and of their second half (a plateau shows as ~0). */
  readonly slopeMiBPerMin: number;
  readonly secondHalfSlopeMiBPerMin: number;
  readonly withinBound: boolean;
  readonly samples: readonly RssSample[];
}

/** Everything one backend's run measured. */
export interface BackendLoadResult {
  readonly backend: BackendName;
  readonly store: string;
  /** Seconds the clients ran, and the part after warm-up. */
  readonly elapsedSec: number;
  readonly measuredSec: number;
  readonly totalCalls: number;
  /** Calls answered correctly after warm-up, per second. */
  readonly throughput: number;
  readonly tasksCreated: number;
  readonly operations: readonly OperationResult[];
  readonly errors: readonly ErrorCount[];
  readonly push: { hooks: number; delivered: number; missing: number };
  readonly runningTasksAfter: number;
  readonly agentLog: AgentLogSummary;
  readonly agentExit: { code: number | null; signal: NodeJS.Signals | null };
  /** The machine's 1-minute load average during the run (mean, max): the machine may be shared. */
  readonly loadAverage: { mean: number; max: number };
  readonly memory: MemoryResult;
  /** No error of any kind, memory within bound, clean exit. */
  readonly passed: boolean;
}

// RSS moves in a sawtooth with each garbage collection: the growth compares the median of the
// samples in a window after warm-up with the median of the last window, not two single readings.
const RSS_WINDOW_SEC = 10;

function medianSample(samples: readonly RssSample[]): RssSample {
  const sorted = [...samples].sort((a, b) => a.rssKiB - b.rssKiB);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function trendOf(samples: readonly RssSample[]): number {
  return slope(samples.map((sample) => ({ x: sample.t / 60, y: sample.rssKiB / 1024 })));
}

/** The agent's memory figures from its RSS samples (seconds relative to the sampler's start). */
export function memoryResult(
  samples: readonly RssSample[],
  warmupAt: number,
  endAt: number,
  boundMiB: number,
): MemoryResult {
  const first = samples[0];
  if (!first) throw new Error('no RSS sample of the agent was taken');
  const during = samples.filter((sample) => sample.t <= endAt);
  const measured = during.filter((sample) => sample.t >= warmupAt);
  const baseWindow = measured.filter((sample) => sample.t < warmupAt + RSS_WINDOW_SEC);
  const endWindow = measured.filter((sample) => sample.t > endAt - RSS_WINDOW_SEC);
  const afterWarmup = medianSample(baseWindow.length > 0 ? baseWindow : [during.at(-1) ?? first]);
  const end = medianSample(endWindow.length > 0 ? endWindow : [during.at(-1) ?? first]);
  const growthKiB = end.rssKiB - afterWarmup.rssKiB;
  const half = (warmupAt + endAt) / 2;
  const boundKiB = boundMiB * 1024;
  return {
    startKiB: first.rssKiB,
    afterWarmupKiB: afterWarmup.rssKiB,
    peakKiB: Math.max(...during.map((sample) => sample.rssKiB)),
    endKiB: end.rssKiB,
    growthKiB,
    growthParts: {
      anonKiB: end.anonKiB - afterWarmup.anonKiB,
      fileKiB: end.fileKiB - afterWarmup.fileKiB,
      shmemKiB: end.shmemKiB - afterWarmup.shmemKiB,
    },
    boundKiB,
    slopeMiBPerMin: trendOf(measured),
    secondHalfSlopeMiBPerMin: trendOf(measured.filter((sample) => sample.t >= half)),
    withinBound: growthKiB < boundKiB,
    samples,
  };
}

async function runningTasks(baseUrl: string): Promise<number> {
  const response = await fetch(`${baseUrl}/healthz`);
  return ((await response.json()) as { runningTasks: number }).runningTasks;
}

/** Waits (polling /healthz, bounded) until no execution runs; returns the last count seen. */
async function drained(baseUrl: string, timeoutMs: number): Promise<number> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const running = await runningTasks(baseUrl);
    if (running === 0 || performance.now() > until) return running;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * One backend: a fresh store, the agent on it as a child process, a loopback webhook receiver,
 * `clients` SDK clients for `durationSec` (or until the request cap), then drain, stop, clean up.
 */
export async function runBackend(
  backend: BackendName,
  options: LoadOptions,
  progress: (line: string) => void,
): Promise<BackendLoadResult> {
  const store = await prepareStore(backend);
  try {
    const receiver = await startLoadWebhookReceiver();
    try {
      const agent = await startLoadedAgent({
        storeUrl: store.url,
        stepMs: options.stepMs,
        steps: AGENT_STEPS,
      });
      let exit: BackendLoadResult['agentExit'] | undefined;
      try {
        const sampler = await startRssSampler(agent.pid);
        const samplerStart = performance.now();
        const users = await Promise.all(
          Array.from({ length: options.clients }, async (_, index): Promise<LoadClient> => {
            const user = USERS[index % 2]!;
            return {
              client: await connect(agent.baseUrl, user),
              user,
              otherUser: USERS[(index + 1) % 2]!,
              random: seededRandom(index + 1),
            };
          }),
        );
        const started = performance.now();
        const recorder = new Recorder(started + options.warmupSec * 1000);
        const ctx: LoadContext = {
          recorder,
          receiver,
          tenant: `load-${randomUUID()}`,
          deadline: started + options.durationSec * 1000,
          maxRequests: options.maxRequests,
          callTimeoutMs: CALL_TIMEOUT_MS,
          idsByUser: new Map(USERS.map((user) => [user, new Set<string>()])),
        };
        progress(
          `${backend}: ${options.clients} clients for ${options.durationSec} s on ${store.description}`,
        );
        const loads: number[] = [];
        const loadTimer = setInterval(() => loads.push(loadavg()[0] ?? 0), 5000);
        const ticker = setInterval(() => {
          const seconds = Math.round((performance.now() - started) / 1000);
          const rss = sampler.samples().at(-1)?.rssKiB ?? 0;
          progress(
            `${backend}: ${seconds} s, ${recorder.callCount} calls, ${recorder.errors().length} error types, agent RSS ${(rss / 1024).toFixed(1)} MiB`,
          );
        }, 15_000);
        try {
          await Promise.all(users.map((user) => runClient(ctx, user)));
        } finally {
          clearInterval(ticker);
          clearInterval(loadTimer);
        }
        const ended = performance.now();

        // Deliveries and canceled executions finish after the last answer: give them a bounded
        // time, then anything still missing is a failure.
        await receiver.settle(SETTLE_TIMEOUT_MS);
        const missing = receiver.hooksWithoutCompletion();
        for (const hook of missing) {
          recorder.fail('push-delivery', new Error(`no completed event at ${hook}`));
        }
        const stillRunning = await drained(agent.baseUrl, SETTLE_TIMEOUT_MS);
        await sampler.stop();
        exit = await agent.stop();

        const elapsedSec = (ended - started) / 1000;
        const measuredSec = Math.max(0, elapsedSec - options.warmupSec);
        const memory = memoryResult(
          sampler.samples(),
          (started - samplerStart) / 1000 + options.warmupSec,
          (ended - samplerStart) / 1000,
          options.rssBoundMiB,
        );
        const errors = recorder.errors();
        const agentLog = agent.log();
        return {
          backend,
          store: store.description,
          elapsedSec,
          measuredSec,
          totalCalls: recorder.callCount,
          throughput: measuredSec > 0 ? recorder.measuredCalls() / measuredSec : 0,
          tasksCreated: [...ctx.idsByUser.values()].reduce((sum, ids) => sum + ids.size, 0),
          operations: recorder.results(),
          errors,
          push: {
            hooks: receiver.hooks(),
            delivered: receiver.delivered(),
            missing: missing.length,
          },
          runningTasksAfter: stillRunning,
          agentLog,
          agentExit: exit,
          loadAverage: {
            mean: loads.length
              ? loads.reduce((a, b) => a + b, 0) / loads.length
              : (loadavg()[0] ?? 0),
            max: loads.length ? Math.max(...loads) : (loadavg()[0] ?? 0),
          },
          memory,
          passed:
            errors.length === 0 &&
            memory.withinBound &&
            stillRunning === 0 &&
            agentLog.errorLines === 0 &&
            exit.code === 0,
        };
      } finally {
        if (!exit) await agent.stop();
      }
    } finally {
      await receiver.close();
    }
  } finally {
    await store.dispose();
  }
}

import { type ChildProcess, fork } from 'node:child_process';
import type { AgentConfig } from './config.js';
import type { StoreTarget } from './stores-from-url.js';

/** Set in each worker's environment: its index among the workers `pnpm start` started. */
export const WORKER_INDEX_ENV = 'A2A_AGENT_WORKER_INDEX';

/** What a worker sends its parent once it serves requests. */
export interface WorkerReadyMessage {
  readonly type: 'ready';
  readonly url: string;
  readonly workerId: string;
}

/** `A2A_AGENT_WORKERS` > 1 on a store other processes cannot share. */
export class WorkersNeedSharedStoreError extends Error {
  override readonly name = 'WorkersNeedSharedStoreError';
}

/**
 * Refuses several workers on a store only one process sees: each worker would get its own empty
 * store, and a task started on one would not exist on the others.
 */
export function checkWorkersFit(workers: number, target: StoreTarget): void {
  if (workers <= 1) return;
  const privateStore =
    target.kind === 'memory' || (target.kind === 'sqlite' && target.filename === ':memory:');
  if (privateStore) {
    throw new WorkersNeedSharedStoreError(
      `A2A_AGENT_WORKERS=${workers} needs a store the workers share (a sqlite file, postgres, ` +
        'mysql or redis URL); an in-memory store exists in one process only.',
    );
  }
}

/** Whether this process is a worker started by {@link runWorkers}. */
export function isWorkerProcess(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[WORKER_INDEX_ENV] !== undefined && typeof process.send === 'function';
}

/** Tells the parent this worker serves requests (no-op when not started by {@link runWorkers}). */
export function reportReady(message: WorkerReadyMessage): void {
  if (isWorkerProcess()) process.send?.(message);
}

/**
 * The parent of `A2A_AGENT_WORKERS=N`: forks N copies of this entry on consecutive ports from
 * PORT (PORT=0: each picks its own), all on the same store, so they form one cluster. The first
 * worker starts alone, so the store's migrations run once, then the others start together.
 * SIGINT/SIGTERM are forwarded once to every worker (they run detached, so a terminal's Ctrl-C
 * does not reach them twice, which they would take as "exit at once"); a worker that dies is
 * reported and the others keep serving. Resolves with the exit code once every worker has exited.
 */
export async function runWorkers(config: AgentConfig, entry: string): Promise<number> {
  const children: ChildProcess[] = [];
  const exits: Promise<number>[] = [];
  let stopping = false;

  const start = (index: number): Promise<WorkerReadyMessage> => {
    const port = config.port === 0 ? 0 : config.port + index;
    const child = fork(entry, process.argv.slice(2), {
      env: {
        ...process.env,
        PORT: String(port),
        // One Prometheus endpoint per worker, on consecutive ports like the agents themselves.
        ...(config.metricsPort === undefined
          ? {}
          : { A2A_AGENT_METRICS_PORT: String(config.metricsPort + index) }),
        A2A_AGENT_WORKERS: '1',
        [WORKER_INDEX_ENV]: String(index),
      },
      detached: true,
      stdio: 'inherit',
    });
    children.push(child);
    const exited = new Promise<number>((resolve) => {
      child.once('exit', (code, signal) => {
        if (!stopping) {
          process.stderr.write(
            `[durable-agent] worker ${index} (pid ${child.pid}) exited unexpectedly ` +
              `(code ${code}, signal ${signal}); the other workers keep serving\n`,
          );
        }
        resolve(code ?? 1);
      });
    });
    exits.push(exited);
    return new Promise<WorkerReadyMessage>((resolve, reject) => {
      child.on('message', (message: WorkerReadyMessage) => {
        if (message?.type === 'ready') resolve(message);
      });
      exited.then(
        (code) => reject(new Error(`worker ${index} exited during startup (code ${code})`)),
        reject,
      );
    });
  };

  const forward = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    }
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);

  try {
    const ready = [await start(0)];
    const rest = Array.from({ length: config.workers - 1 }, (_, i) => start(i + 1));
    ready.push(...(await Promise.all(rest)));
    process.stdout.write(
      `${config.workers} workers, one cluster on one store:\n` +
        ready.map((worker) => `  ${worker.url}  (worker ${worker.workerId})\n`).join(''),
    );
  } catch (error) {
    process.stderr.write(`[durable-agent] ${(error as Error).message}; stopping the others\n`);
    forward('SIGTERM');
    await Promise.all(exits);
    return 1;
  }
  const codes = await Promise.all(exits);
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  return codes.some((code) => code !== 0) ? 1 : 0;
}

import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./fixtures/worker.mjs', import.meta.url));
const BUILT_ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** What fixtures/worker.mjs sends back. */
export interface WorkerMessage {
  readonly type: 'ready' | 'ack' | 'done' | 'failed';
  readonly error?: string;
  readonly index?: number;
  readonly saved?: number;
  readonly incremented?: number;
  readonly retries?: number;
  readonly result?: { applied: string[]; current: string[] };
}

export interface Worker {
  readonly child: ChildProcess;
  /** Resolves when the worker has opened its stores and waits for "go". */
  readonly ready: Promise<void>;
  /** Resolves with the final message when the worker exits 0 after reporting "done". */
  readonly done: Promise<WorkerMessage>;
  /** Resolves with the exit signal or code, however the worker ended. */
  readonly exited: Promise<NodeJS.Signals | number | null>;
  go(): void;
}

/** The worker runs the built package, as an application would: fail clearly when it is stale. */
export function assertBuilt(): void {
  if (!existsSync(BUILT_ENTRY)) {
    throw new Error(
      'dist/ is missing: run `pnpm --filter @a2a-stores/sqlite build` before these tests',
    );
  }
}

export function startWorker(
  args: string[],
  onMessage?: (message: WorkerMessage, worker: Worker) => void,
): Worker {
  const child = fork(WORKER, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  let result: WorkerMessage | undefined;
  const exited = new Promise<NodeJS.Signals | number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(signal ?? code));
  });
  const done = exited.then((status) => {
    if (result?.type === 'done' && status === 0) return result;
    throw new Error(`worker ended with ${String(status)}: ${result?.error ?? 'no result'}`);
  });
  // Callers that only watch `exited` (a killed worker) need not handle `done`.
  done.catch(() => undefined);
  // A worker that dies before it is ready must not leave the test waiting for it.
  exited.then(
    () => onReady(),
    () => onReady(),
  );
  const worker: Worker = { child, ready, done, exited, go: () => child.send({ type: 'go' }) };
  child.on('message', (message: WorkerMessage) => {
    if (message.type === 'ready') onReady();
    else if (message.type === 'done' || message.type === 'failed') result = message;
    onMessage?.(message, worker);
  });
  return worker;
}

/** Releases both workers together once both are ready, and waits for both to finish. */
export async function runTogether(a: Worker, b: Worker): Promise<[WorkerMessage, WorkerMessage]> {
  await Promise.all([a.ready, b.ready]);
  a.go();
  b.go();
  return Promise.all([a.done, b.done]);
}

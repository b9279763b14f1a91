import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./fixtures/coordination-worker.mjs', import.meta.url));

/** A child process running `createSqliteCoordination` on `filename`, driven by commands. */
export interface CoordinationChild {
  readonly child: ChildProcess;
  readonly exited: Promise<NodeJS.Signals | number | null>;
  call<T>(type: string, args: Record<string, unknown>): Promise<T>;
}

export async function startCoordinationChild(filename: string): Promise<CoordinationChild> {
  const child = fork(WORKER, [filename], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => {
    child.on('exit', (code, signal) => {
      for (const waiter of pending.values()) waiter.reject(new Error('child exited'));
      pending.clear();
      resolve(signal ?? code);
    });
  });
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => {
    ready = resolve;
  });
  child.on('message', (message: { id: number; result?: unknown; error?: string }) => {
    if (message.id === 0) return ready();
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(message.error));
    else waiter?.resolve(message.result);
  });
  await Promise.race([isReady, exited.then(() => Promise.reject(new Error('child died')))]);
  let next = 1;
  return {
    child,
    exited,
    call<T>(type: string, args: Record<string, unknown>): Promise<T> {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, type, ...args });
      });
    },
  };
}

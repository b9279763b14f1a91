import { createHash } from 'node:crypto';
import { type ReceivedNotification, startWebhookReceiver } from '@a2a-stores/test-backends';

const FINAL_STATES = new Set(['TASK_STATE_COMPLETED', 'TASK_STATE_CANCELED', 'TASK_STATE_FAILED']);

/** A loopback webhook receiver that counts deliveries, duplicates and hooks still waiting. */
export interface ClusterHookReceiver {
  /** A fresh hook URL; the run expects its task's final event there. */
  newHookUrl(): string;
  /** Stops expecting a final event at `url` (its registering call failed, counted already). */
  forgetHook(url: string): void;
  readonly counts: () => { hooks: number; deliveries: number; duplicates: number };
  /** Hooks whose task's final event has not arrived (yet). */
  waiting(): string[];
  /** Resolves once no hook is waiting, or after `timeoutMs`. */
  settle(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

function stateOf({ json }: ReceivedNotification): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const body = json as {
    statusUpdate?: { status?: { state?: string } };
    task?: { status?: { state?: string } };
  };
  return body.statusUpdate?.status?.state ?? body.task?.status?.state;
}

/**
 * Two deliveries with the same body at the same hook are one event POSTed twice: every event of
 * a task differs (its own message id, timestamp or artifact). Only a digest per delivery is kept,
 * so a run of a few minutes stays small.
 */
export async function startClusterHookReceiver(): Promise<ClusterHookReceiver> {
  const seen = new Map<string, Set<string>>();
  const waiting = new Set<string>();
  const wakers = new Set<() => void>();
  let hooks = 0;
  let deliveries = 0;
  let duplicates = 0;
  const receiver = await startWebhookReceiver({
    record: false,
    onReceive: (notification) => {
      deliveries += 1;
      const digest = createHash('sha256').update(notification.body).digest('base64url');
      const bodies = seen.get(notification.path) ?? new Set<string>();
      seen.set(notification.path, bodies);
      if (bodies.has(digest)) duplicates += 1;
      bodies.add(digest);
      if (FINAL_STATES.has(stateOf(notification) ?? '')) waiting.delete(notification.path);
      for (const wake of [...wakers]) wake();
    },
  });
  return {
    newHookUrl: () => {
      const url = receiver.newHookUrl('cluster');
      waiting.add(new URL(url).pathname);
      hooks += 1;
      return url;
    },
    forgetHook: (url) => {
      waiting.delete(new URL(url).pathname);
    },
    counts: () => ({ hooks, deliveries, duplicates }),
    waiting: () => [...waiting],
    settle: (timeoutMs) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wakers.delete(check);
          resolve();
        };
        const check = () => {
          if (waiting.size === 0) done();
        };
        const timer = setTimeout(done, timeoutMs);
        wakers.add(check);
        check();
      }),
    close: () => receiver.close(),
  };
}

import { type ReceivedNotification, startWebhookReceiver } from '@a2a-stores/test-backends';

/** A loopback webhook receiver that counts deliveries per hook. */
export interface LoadWebhookReceiver {
  /** A fresh hook URL; its deliveries are tracked. */
  newHookUrl(): string;
  /** A hook URL whose deliveries are counted but not awaited (configs on finished tasks). */
  untrackedHookUrl(): string;
  /** Stops expecting deliveries at `url` (its send failed, which is already counted). */
  forgetHook(url: string): void;
  /** Deliveries received, at any hook. */
  delivered(): number;
  /** Hooks handed out so far. */
  hooks(): number;
  /** Hooks whose task's final `completed` event has not arrived (yet). */
  hooksWithoutCompletion(): string[];
  /** Resolves once every hook has seen completion, or after `timeoutMs`, whichever first. */
  settle(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a receiver on a free port of 127.0.0.1 answering 200 to every POST. A delivery counts as
 * completion when its body is a status update (or task) in `TASK_STATE_COMPLETED`. It keeps no
 * bodies: a long run would otherwise hold every delivery in memory.
 */
export async function startLoadWebhookReceiver(): Promise<LoadWebhookReceiver> {
  const pendingHooks = new Set<string>();
  let handedOut = 0;
  let delivered = 0;
  const wakers = new Set<() => void>();
  const receiver = await startWebhookReceiver({
    record: false,
    onReceive: (notification) => {
      delivered++;
      if (isCompletion(notification)) pendingHooks.delete(notification.path);
      for (const wake of [...wakers]) wake();
    },
  });
  return {
    newHookUrl: () => {
      const url = receiver.newHookUrl('load');
      pendingHooks.add(new URL(url).pathname);
      handedOut++;
      return url;
    },
    untrackedHookUrl: () => receiver.newHookUrl('untracked'),
    forgetHook: (url) => {
      pendingHooks.delete(new URL(url).pathname);
    },
    delivered: () => delivered,
    hooks: () => handedOut,
    hooksWithoutCompletion: () => [...pendingHooks],
    settle: (timeoutMs) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wakers.delete(check);
          resolve();
        };
        const check = () => {
          if (pendingHooks.size === 0) done();
        };
        const timer = setTimeout(done, timeoutMs);
        wakers.add(check);
        check();
      }),
    close: () => receiver.close(),
  };
}

function isCompletion({ json }: ReceivedNotification): boolean {
  if (typeof json !== 'object' || json === null) return false;
  const body = json as {
    statusUpdate?: { status?: { state?: string } };
    task?: { status?: { state?: string } };
  };
  const state = body.statusUpdate?.status?.state ?? body.task?.status?.state;
  return state === 'TASK_STATE_COMPLETED';
}

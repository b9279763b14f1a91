/**
 * Waits until `condition` holds, checking every few milliseconds, and fails with `what` after
 * `timeoutMs`. Tests wait on conditions, never on fixed sleeps.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 8000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
  }
}

/** Messages received on one subscription, in arrival order. */
export interface Inbox {
  readonly messages: string[];
  readonly listener: (message: string) => void;
}

export function inbox(): Inbox {
  const messages: string[] = [];
  return { messages, listener: (message) => messages.push(message) };
}

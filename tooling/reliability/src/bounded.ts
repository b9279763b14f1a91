/** How a call ended within its bound. `hung` means it had not settled when the bound ran out. */
export type BoundedOutcome<T> =
  | { readonly status: 'fulfilled'; readonly value: T; readonly ms: number }
  | { readonly status: 'rejected'; readonly error: unknown; readonly ms: number }
  | { readonly status: 'hung'; readonly ms: number };

/**
 * Waits for `promise` at most `limitMs`. The bound is generous on purpose: it tells a hung
 * promise from a slow one, it does not measure speed.
 */
export async function settleWithin<T>(
  promise: Promise<T>,
  limitMs: number,
): Promise<BoundedOutcome<T>> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<BoundedOutcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'hung', ms: elapsed() }), limitMs);
  });
  const settled = promise.then(
    (value): BoundedOutcome<T> => ({ status: 'fulfilled', value, ms: elapsed() }),
    (error: unknown): BoundedOutcome<T> => ({ status: 'rejected', error, ms: elapsed() }),
  );
  try {
    return await Promise.race([settled, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** A promise the caller opens later: load workers park on it while a server is down. */
export interface Gate {
  readonly wait: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

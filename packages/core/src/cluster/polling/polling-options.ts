/** Settings of {@link PollingCoordination}; every field has a default. */
export interface PollingCoordinationOptions {
  /**
   * Pause between two polls, in ms. Default 100. A message reaches a subscriber at most one
   * interval plus one read query after its INSERT committed. Each worker with at least one
   * subscription runs one read per interval, whatever the number of channels it follows.
   */
  readonly pollIntervalMs?: number;
  /** Messages older than this are deleted, in ms. Default 60 000. A poller behind by more loses them. */
  readonly retentionMs?: number;
  /** Pause between two retention passes, in ms. Default 5000. */
  readonly cleanupIntervalMs?: number;
  /** Rows deleted per retention statement; a pass runs at most 10 of them. Default 500. */
  readonly cleanupBatchSize?: number;
  /** Rows read per query; a poll that reads a full batch reads again at once. Default 500. */
  readonly readBatchSize?: number;
  /**
   * How long a hole in the id sequence is waited for before the poller moves past it, in ms.
   * Default 5000. See `MessageCursor`: only engines whose ids can commit out of order need it.
   */
  readonly gapWaitMs?: number;
  /** Receives what a listener threw; the poll goes on. Default: ignored. */
  readonly onListenerError?: (error: unknown) => void;
}

export interface ResolvedPollingOptions {
  readonly pollIntervalMs: number;
  readonly retentionMs: number;
  readonly cleanupIntervalMs: number;
  readonly cleanupBatchSize: number;
  readonly readBatchSize: number;
  readonly gapWaitMs: number;
  readonly onListenerError: (error: unknown) => void;
}

export const DEFAULT_POLL_INTERVAL_MS = 100;
export const DEFAULT_MESSAGE_RETENTION_MS = 60_000;
export const DEFAULT_GAP_WAIT_MS = 5000;

/** setTimeout's largest delay; anything above fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

function integerIn(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const resolved = value ?? fallback;
  if (!Number.isSafeInteger(resolved) || resolved < min || resolved > max) {
    throw new TypeError(
      `${name} must be an integer between ${min} and ${max}, got ${String(value)}`,
    );
  }
  return resolved;
}

/** Validates the settings at construction, so a bad value fails at startup naming the option. */
export function resolvePollingOptions(
  options: PollingCoordinationOptions = {},
): ResolvedPollingOptions {
  const pollIntervalMs = integerIn(
    'pollIntervalMs',
    options.pollIntervalMs,
    DEFAULT_POLL_INTERVAL_MS,
    1,
    MAX_TIMER_MS,
  );
  const retentionMs = integerIn(
    'retentionMs',
    options.retentionMs,
    DEFAULT_MESSAGE_RETENTION_MS,
    1000,
    Number.MAX_SAFE_INTEGER,
  );
  const gapWaitMs = integerIn('gapWaitMs', options.gapWaitMs, DEFAULT_GAP_WAIT_MS, 0, MAX_TIMER_MS);
  if (gapWaitMs >= retentionMs) {
    // A hole waited for longer than messages live would keep the re-read tail past its rows.
    throw new TypeError(`gapWaitMs (${gapWaitMs}) must be below retentionMs (${retentionMs})`);
  }
  const onListenerError = options.onListenerError ?? (() => undefined);
  if (typeof onListenerError !== 'function')
    throw new TypeError('onListenerError must be a function');
  return {
    pollIntervalMs,
    retentionMs,
    gapWaitMs,
    cleanupIntervalMs: integerIn(
      'cleanupIntervalMs',
      options.cleanupIntervalMs,
      5000,
      1,
      MAX_TIMER_MS,
    ),
    cleanupBatchSize: integerIn('cleanupBatchSize', options.cleanupBatchSize, 500, 1, 100_000),
    readBatchSize: integerIn('readBatchSize', options.readBatchSize, 500, 1, 100_000),
    onListenerError,
  };
}

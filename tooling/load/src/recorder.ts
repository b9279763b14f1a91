import { type LatencySummary, summarizeLatencies } from './stats.js';

/** Every operation the load issues; each is one HTTP call (a stream is one call too). */
export const OPERATIONS = [
  'send',
  'send+push',
  'stream',
  'get',
  'list-page',
  'send-async',
  'cancel',
  'push-create',
  'push-get',
] as const;
export type OperationName = (typeof OPERATIONS)[number];

/** One kind of failure: where it happened, its error name (or `unexpected:<what>`), how often. */
export interface ErrorCount {
  readonly operation: OperationName | 'push-delivery';
  readonly type: string;
  readonly count: number;
  /** The first few messages, for the report. */
  readonly samples: readonly string[];
}

/** The outcome of one operation over the measured window (after warm-up). */
export interface OperationResult {
  readonly operation: OperationName;
  /** Calls made, warm-up included. */
  readonly calls: number;
  readonly errors: number;
  /** Latencies of the calls started after warm-up and answered correctly. */
  readonly latency: LatencySummary | undefined;
}

const SAMPLES_PER_TYPE = 3;

/** A failure the driver detected in an answer (wrong state, duplicate ids...), not thrown by the SDK. */
export class UnexpectedResultError extends Error {
  override readonly name = 'UnexpectedResultError';
  constructor(
    readonly what: string,
    detail: string,
  ) {
    super(`${what}: ${detail}`);
  }
}

/** A stable label for an error: its name, plus the network cause code of a failed fetch. */
export function errorType(error: unknown): string {
  if (error instanceof UnexpectedResultError) return `unexpected:${error.what}`;
  if (!(error instanceof Error)) return `non-error:${typeof error}`;
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? `(${cause.code})` : '';
  return `${error.name}${code}`;
}

/** Collects latencies and failures of every call, from every client. */
export class Recorder {
  private readonly latencies = new Map<OperationName, number[]>();
  private readonly calls = new Map<OperationName, number>();
  private readonly failures = new Map<string, { error: ErrorCount; samples: string[] }>();
  private totalCalls = 0;

  constructor(private readonly measuredFrom: number) {}

  /** Calls made so far, for the request cap. */
  get callCount(): number {
    return this.totalCalls;
  }

  /** Times `call`; a throw (or an {@link UnexpectedResultError} from `check`) is a failure. */
  async time<T>(operation: OperationName, call: () => Promise<T>): Promise<T | undefined> {
    this.totalCalls++;
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    const started = performance.now();
    try {
      const result = await call();
      if (started >= this.measuredFrom) {
        let list = this.latencies.get(operation);
        if (!list) {
          list = [];
          this.latencies.set(operation, list);
        }
        list.push(performance.now() - started);
      }
      return result;
    } catch (error) {
      this.fail(operation, error);
      return undefined;
    }
  }

  /** Records a failure found outside a timed call (e.g. a webhook delivery that never came). */
  fail(operation: ErrorCount['operation'], error: unknown): void {
    const type = errorType(error);
    const key = `${operation}\u0000${type}`;
    let entry = this.failures.get(key);
    if (!entry) {
      entry = { error: { operation, type, count: 0, samples: [] }, samples: [] };
      this.failures.set(key, entry);
    }
    entry.error = { ...entry.error, count: entry.error.count + 1 };
    if (entry.samples.length < SAMPLES_PER_TYPE) {
      entry.samples.push(error instanceof Error ? error.message.slice(0, 300) : String(error));
    }
  }

  errors(): ErrorCount[] {
    return [...this.failures.values()].map(({ error, samples }) => ({ ...error, samples }));
  }

  results(): OperationResult[] {
    return OPERATIONS.map((operation) => ({
      operation,
      calls: this.calls.get(operation) ?? 0,
      errors: this.errors()
        .filter((error) => error.operation === operation)
        .reduce((sum, error) => sum + error.count, 0),
      latency: summarizeLatencies(this.latencies.get(operation) ?? []),
    }));
  }

  /** Successful calls started after warm-up, all operations together. */
  measuredCalls(): number {
    let total = 0;
    for (const list of this.latencies.values()) total += list.length;
    return total;
  }
}

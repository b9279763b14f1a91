import type { Scope } from '../scope.js';

/**
 * Multi-worker coordination: what a transport implements so several agent processes on one store
 * act as one agent. Core (`src/cluster/`) owns everything transports share: lease keys, renewal,
 * event envelopes, sequence numbers, ordering and de-duplication, cancel routing and the orphan
 * recovery policy. A backend only stores leases and moves opaque string messages between workers,
 * as `TaskBackend` only stores rows.
 *
 * Every method may reject with `StoreUnavailableError` when the engine cannot be reached; core
 * turns that into degraded local behaviour, never into a lost acknowledged write.
 */

/** One execution lease: the worker running a task, until `expiresAt`. */
export interface LeaseRecord {
  /** Opaque key core derives from the scope and task id (a hash: no tenant or owner in clear). */
  readonly key: string;
  /** The task's scope, so a recovering worker can read and write the task. */
  readonly scope: Scope;
  readonly taskId: string;
  /** Worker id of the holder. */
  readonly holder: string;
  /** Fencing token of the execution holding it (a fresh random id per execution). */
  readonly token: string;
  /** Expiry in epoch ms, on the backend's clock when it has one. */
  readonly expiresAt: number;
  /** Whether the lease was unexpired when read, judged on the backend's clock. */
  readonly live: boolean;
}

/** What a worker asks for when it starts (or resumes) an execution. */
export interface LeaseRequest {
  readonly key: string;
  readonly scope: Scope;
  readonly taskId: string;
  readonly holder: string;
  readonly token: string;
}

export type LeaseAcquireResult =
  | { readonly acquired: true; readonly expiresAt: number }
  | { readonly acquired: false; readonly current: LeaseRecord };

/** Called with each message published on a subscribed channel, in publish order per publisher. */
export type ChannelListener = (message: string) => void;

/** Ends one subscription; idempotent. */
export type Unsubscribe = () => Promise<void>;

/** Connection state of the backend's push channel, for degrading and recovering. */
export type ChannelState = 'up' | 'down';

export interface CoordinationBackend {
  /** Names the transport in logs and errors, e.g. `redis`, `postgres`, `sqlite-polling`. */
  readonly name: string;
  /**
   * Takes the lease when there is none, when the stored one has expired, or when `holder`
   * already holds it (re-entrant: the token is replaced). Atomic: two workers racing for an
   * expired lease cannot both get it.
   */
  acquireLease(request: LeaseRequest, ttlMs: number): Promise<LeaseAcquireResult>;
  /** Extends the lease; false when it is no longer held by `holder` with `token`. */
  renewLease(key: string, holder: string, token: string, ttlMs: number): Promise<boolean>;
  /** Drops the lease if `holder` with `token` still holds it; otherwise does nothing. */
  releaseLease(key: string, holder: string, token: string): Promise<void>;
  /** The lease under `key`, expired or not; undefined when there is none. */
  readLease(key: string): Promise<LeaseRecord | undefined>;
  /**
   * Atomically takes over up to `limit` expired leases for `holder` (new `token`, new expiry
   * `ttlMs` from now) and returns them as they were before the takeover. Each expired lease is
   * returned to exactly one caller, however many workers sweep at once.
   */
  claimExpiredLeases(
    holder: string,
    token: string,
    ttlMs: number,
    limit: number,
  ): Promise<readonly LeaseRecord[]>;
  /**
   * Sends `message` to every current subscriber of `channel` on any worker (the publisher's own
   * subscriptions included). Messages from one publisher arrive in publish order. Any size up
   * to the store's task size limit must get through (a transport with a smaller frame, such as
   * NOTIFY's 8000 bytes, spills to a table).
   */
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once delivery to `listener` is active: anything published afterwards arrives. */
  subscribe(channel: string, listener: ChannelListener): Promise<Unsubscribe>;
  /**
   * Optional: tells core when the push channel drops and comes back, so subscribers waiting on
   * other workers end instead of hanging, and cross-worker calls fail fast while it is down.
   */
  onChannelState?(listener: (state: ChannelState) => void): () => void;
  /** Stops subscriptions and ends what the backend created (not a pool the user passed). */
  close(): Promise<void>;
}

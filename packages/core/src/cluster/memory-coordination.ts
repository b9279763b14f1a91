import { StoreUnavailableError } from '../errors.js';
import type {
  ChannelListener,
  ChannelState,
  CoordinationBackend,
  LeaseAcquireResult,
  LeaseRecord,
  LeaseRequest,
  Unsubscribe,
} from './coordination-backend.js';

type StoredLease = Omit<LeaseRecord, 'live'>;

interface Subscription {
  readonly owner: MemoryCoordinationBackend;
  readonly channel: string;
  readonly listener: ChannelListener;
  active: boolean;
}

/** Options of {@link createMemoryCoordination}. */
export interface MemoryCoordinationOptions {
  /** The hub's clock (epoch ms); leases expire by it. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * The shared engine of several in-process workers: one lease table and one message bus. Made by
 * {@link createMemoryCoordination}; each {@link MemoryCoordinationHub.connect} is one worker.
 */
export interface MemoryCoordinationHub {
  /** A new backend (one simulated worker) connected to this hub. */
  connect(name?: string): MemoryCoordinationBackend;
}

/**
 * The reference `CoordinationBackend`: leases expire by the hub's clock, delivery is
 * asynchronous (a macrotask per message, so nothing runs inside `publish`), and messages from
 * one publisher arrive in publish order. `setReachable(false)` simulates an outage of the
 * engine for this worker only: calls reject with `StoreUnavailableError` and the channel goes
 * `down`.
 */
export class MemoryCoordinationBackend implements CoordinationBackend {
  readonly name: string;
  readonly #hub: Hub;
  readonly #stateListeners = new Set<(state: ChannelState) => void>();
  #reachable = true;
  #closed = false;

  constructor(hub: Hub, name: string) {
    this.#hub = hub;
    this.name = name;
  }

  /** Simulates losing (false) and regaining (true) the engine; tells channel-state listeners. */
  setReachable(reachable: boolean): void {
    if (this.#reachable === reachable) return;
    this.#reachable = reachable;
    for (const listener of this.#stateListeners) listener(reachable ? 'up' : 'down');
  }

  get reachable(): boolean {
    return this.#reachable && !this.#closed;
  }

  #check(): void {
    if (this.#closed) throw new StoreUnavailableError('memory coordination backend is closed');
    if (!this.#reachable) throw new StoreUnavailableError('memory coordination engine unreachable');
  }

  async acquireLease(request: LeaseRequest, ttlMs: number): Promise<LeaseAcquireResult> {
    this.#check();
    const now = this.#hub.now();
    const current = this.#hub.leases.get(request.key);
    if (current && current.expiresAt > now && current.holder !== request.holder) {
      return { acquired: false, current: { ...current, live: true } };
    }
    const expiresAt = now + ttlMs;
    this.#hub.leases.set(request.key, { ...request, expiresAt });
    return { acquired: true, expiresAt };
  }

  async renewLease(key: string, holder: string, token: string, ttlMs: number): Promise<boolean> {
    this.#check();
    const now = this.#hub.now();
    const current = this.#hub.leases.get(key);
    if (!current || current.holder !== holder || current.token !== token) return false;
    // An expired lease a sweeper has not claimed yet is still ours to extend.
    this.#hub.leases.set(key, { ...current, expiresAt: now + ttlMs });
    return true;
  }

  async releaseLease(key: string, holder: string, token: string): Promise<void> {
    this.#check();
    const current = this.#hub.leases.get(key);
    if (current && current.holder === holder && current.token === token) {
      this.#hub.leases.delete(key);
    }
  }

  async readLease(key: string): Promise<LeaseRecord | undefined> {
    this.#check();
    const current = this.#hub.leases.get(key);
    return current && { ...current, live: current.expiresAt > this.#hub.now() };
  }

  async claimExpiredLeases(
    holder: string,
    token: string,
    ttlMs: number,
    limit: number,
  ): Promise<readonly LeaseRecord[]> {
    this.#check();
    const now = this.#hub.now();
    const claimed: LeaseRecord[] = [];
    for (const [key, lease] of this.#hub.leases) {
      if (claimed.length >= limit) break;
      if (lease.expiresAt > now) continue;
      claimed.push({ ...lease, live: false });
      this.#hub.leases.set(key, { ...lease, holder, token, expiresAt: now + ttlMs });
    }
    return claimed;
  }

  async publish(channel: string, message: string): Promise<void> {
    this.#check();
    this.#hub.deliver(channel, message);
  }

  async subscribe(channel: string, listener: ChannelListener): Promise<Unsubscribe> {
    this.#check();
    const subscription: Subscription = { owner: this, channel, listener, active: true };
    this.#hub.add(subscription);
    return async () => {
      subscription.active = false;
      this.#hub.remove(subscription);
    };
  }

  onChannelState(listener: (state: ChannelState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#hub.removeAll(this);
    this.#stateListeners.clear();
  }
}

class Hub implements MemoryCoordinationHub {
  readonly leases = new Map<string, StoredLease>();
  readonly #channels = new Map<string, Set<Subscription>>();
  readonly now: () => number;
  #workers = 0;

  constructor(now: () => number) {
    this.now = now;
  }

  connect(name?: string): MemoryCoordinationBackend {
    this.#workers += 1;
    return new MemoryCoordinationBackend(this, name ?? `memory-${this.#workers}`);
  }

  add(subscription: Subscription): void {
    let set = this.#channels.get(subscription.channel);
    if (!set) {
      set = new Set();
      this.#channels.set(subscription.channel, set);
    }
    set.add(subscription);
  }

  remove(subscription: Subscription): void {
    const set = this.#channels.get(subscription.channel);
    set?.delete(subscription);
    if (set?.size === 0) this.#channels.delete(subscription.channel);
  }

  removeAll(owner: MemoryCoordinationBackend): void {
    for (const set of this.#channels.values()) {
      for (const subscription of set) {
        if (subscription.owner === owner) {
          subscription.active = false;
          this.remove(subscription);
        }
      }
    }
  }

  deliver(channel: string, message: string): void {
    // Recipients are fixed at publish time (what a broker does); delivery is deferred, and
    // setImmediate is FIFO, so one publisher's messages keep their order.
    const recipients = [...(this.#channels.get(channel) ?? [])];
    setImmediate(() => {
      for (const subscription of recipients) {
        // A worker cut off from the engine receives nothing, like a dropped connection.
        if (!subscription.active || !subscription.owner.reachable) continue;
        try {
          subscription.listener(message);
        } catch {
          // A throwing listener must not starve the others.
        }
      }
    });
  }
}

/**
 * A memory coordination hub: the reference implementation of the backend contract and what unit
 * tests run clusters on. One hub is one "engine"; connect one backend per simulated worker.
 *
 * @example
 * ```ts
 * import { createMemoryCoordination } from '@a2a-stores/core';
 * const hub = createMemoryCoordination();
 * const workerA = hub.connect('a');
 * const workerB = hub.connect('b');
 * ```
 */
export function createMemoryCoordination(
  options: MemoryCoordinationOptions = {},
): MemoryCoordinationHub {
  return new Hub(options.now ?? Date.now);
}

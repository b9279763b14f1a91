import {
  type ChannelState,
  StoreClosedError,
  type StoreLogger,
  StoreUnavailableError,
} from '@a2a-stores/core';
import pg from 'pg';
import { translatePgError } from '../pg-errors.js';
import type { ListenSettings } from './options.js';

type Phase = 'idle' | 'connecting' | 'up' | 'down' | 'closed';

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * The one dedicated connection that LISTENs, created here and never taken from the pool (a
 * pooled client held forever would shrink the user's pool and be recycled under us). When it
 * dies it is replaced with a jittered, doubling backoff and the LISTEN issued again; `down` and
 * `up` are reported as they happen. Notifications sent while it is down are lost: PostgreSQL
 * queues them only for sessions that are listening.
 */
export class ListenConnection {
  private phase: Phase = 'idle';
  private client: pg.Client | undefined;
  /** The client of the attempt in progress, so `close()` can end it and await the attempt. */
  private connecting: { client: pg.Client; attempt: Promise<void> } | undefined;
  private waiters: Waiter[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  /** The state last reported, so each change is told once. */
  private reported: ChannelState = 'up';
  private readonly stateListeners = new Set<(state: ChannelState) => void>();

  constructor(
    private readonly settings: ListenSettings,
    private readonly channel: string,
    private readonly onPayload: (payload: string) => void,
    private readonly logger: StoreLogger,
  ) {}

  /**
   * Resolves once LISTEN is active. Starts the connection on first use; while it is down, tries
   * again at once instead of waiting out the backoff, and rejects if that attempt fails.
   */
  ready(): Promise<void> {
    if (this.phase === 'closed') return Promise.reject(new StoreClosedError());
    if (this.phase === 'up') return Promise.resolve();
    const waiting = new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
    });
    if (this.phase !== 'connecting') this.connectNow();
    return waiting;
  }

  onState(listener: (state: ChannelState) => void): () => void {
    this.stateListeners.add(listener);
    return () => {
      this.stateListeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.settleWaiters(new StoreClosedError());
    this.stateListeners.clear();
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => {});
    const pending = this.connecting;
    if (pending) {
      await pending.client.end().catch(() => {});
      await pending.attempt;
    }
  }

  private connectNow(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.phase = 'connecting';
    const client = new pg.Client(this.settings.clientConfig);
    const attempt = this.connect(client).finally(() => {
      if (this.connecting?.client === client) this.connecting = undefined;
    });
    this.connecting = { client, attempt };
  }

  /** Never rejects: a failed attempt is reported to the waiters and retried. */
  private async connect(client: pg.Client): Promise<void> {
    // Errors on an idle client arrive as events; unhandled they would crash the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    client.on('notification', (note) => {
      // The attempt's client counts too: a notification can arrive in the same read as the
      // LISTEN's completion, before this.client is set.
      const current = client === this.client || client === this.connecting?.client;
      if (current && note.channel === this.channel && note.payload !== undefined) {
        this.onPayload(note.payload);
      }
    });
    try {
      await client.connect();
      // The channel name is derived from a hash: lower-case letters, digits and underscores.
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      await client.end().catch(() => {});
      if (this.phase === 'closed') return;
      this.failed(translatePgError(error));
      return;
    }
    if (this.phase === 'closed') {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.phase = 'up';
    this.failures = 0;
    this.startPing(client);
    this.settleWaiters();
    this.report('up');
  }

  private lost(client: pg.Client, error?: Error): void {
    if (client !== this.client || this.phase === 'closed') return;
    this.client = undefined;
    clearInterval(this.pingTimer);
    client.end().catch(() => {});
    this.logger.warn(
      'a2a-stores/postgres coordination: the LISTEN connection was lost; reconnecting',
      {
        error: error ? translatePgError(error).message : 'connection ended',
      },
    );
    this.failed(new StoreUnavailableError('PostgreSQL LISTEN connection lost', { cause: error }));
  }

  private failed(error: Error): void {
    this.phase = 'down';
    this.settleWaiters(error);
    this.report('down');
    const delay = Math.min(
      this.settings.maxDelayMs,
      this.settings.initialDelayMs * 2 ** Math.min(this.failures, 20),
    );
    this.failures++;
    // Jitter, so workers that lost the server together do not reconnect in lockstep.
    const jittered = delay * (0.8 + Math.random() * 0.4);
    this.retryTimer = setTimeout(() => this.connectNow(), jittered);
    this.retryTimer.unref();
  }

  private startPing(client: pg.Client): void {
    clearInterval(this.pingTimer);
    let inFlight = false;
    this.pingTimer = setInterval(() => {
      if (inFlight || client !== this.client) return;
      inFlight = true;
      // `query_timeout` bounds the probe, so a silently dead connection fails it and is replaced.
      client.query('SELECT 1').then(
        () => {
          inFlight = false;
        },
        (error: Error) => {
          inFlight = false;
          this.lost(client, error);
        },
      );
    }, this.settings.pingIntervalMs);
    this.pingTimer.unref();
  }

  private settleWaiters(error?: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }

  private report(state: ChannelState): void {
    if (state === this.reported) return;
    this.reported = state;
    for (const listener of [...this.stateListeners]) {
      try {
        listener(state);
      } catch {
        // A faulty state listener must not stop the others or the reconnect loop.
      }
    }
  }
}

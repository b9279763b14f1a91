import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnonymousPolicy } from '@a2a-stores/core';
import { type LogLevel, parseLogLevel } from './logger.js';

const EXAMPLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The SQLite file used when `A2A_STORE_URL` is unset: `data/agent.db` in this example. */
export const DEFAULT_SQLITE_FILE = path.join(EXAMPLE_DIR, 'data', 'agent.db');

/** Everything the agent reads from its environment, validated once at startup. */
export interface AgentConfig {
  /** TCP port; 0 lets the OS pick one. `PORT`, default 41241. */
  readonly port: number;
  /** Interface to bind. `HOST`, default 127.0.0.1 (the demo users' secrets are public). */
  readonly host: string;
  /** Base URL advertised in the agent card. `A2A_PUBLIC_URL`, default http://<host>:<port>. */
  readonly publicUrl: string | undefined;
  /** Which store to open. `A2A_STORE_URL`, default the SQLite file under `data/`. */
  readonly storeUrl: string | undefined;
  /** Pause between two work steps. `A2A_AGENT_STEP_MS`, default 1000. */
  readonly stepMs: number;
  /** Work steps of a task that does not ask for another count. `A2A_AGENT_STEPS`, default 3. */
  readonly steps: number;
  /** `user:secret` pairs. `A2A_AGENT_USERS`, default the demo users alice and bob. */
  readonly users: string | undefined;
  readonly logLevel: LogLevel;
  /**
   * Development mode: push webhooks may target this machine (loopback, over http or https).
   * `A2A_AGENT_DEV=1` (or `true`) turns it on, `A2A_AGENT_DEV=0` (or `false`) off; when
   * `A2A_AGENT_DEV` is unset, `NODE_ENV=development` turns it on. Off by default.
   */
  readonly devMode: boolean;
  /**
   * JSON file of the calling agents whose signed Secure Passports are trusted:
   * `{ "<clientId>": { "keys": [<public JWK with kid>] } }`. `A2A_PASSPORT_JWKS`; unset: none
   * (unsigned passports are still read; signed ones fail with `unknown_key` and are refused).
   */
  readonly passportJwksFile: string | undefined;
  /**
   * Calls without a bearer user or verified passport: `'shared'` (default) serves them in the
   * tenant's shared anonymous scope; `'reject'` refuses them before the agent runs (HTTP 401 on
   * REST, JSON-RPC -32602). `A2A_AGENT_ANONYMOUS`.
   */
  readonly anonymous: AnonymousPolicy;
  /**
   * Cluster mode on a shared store (redis, postgres, mysql, sqlite file): `'auto'` (default)
   * makes every copy of the agent on one store URL a worker of one cluster; `'off'` runs this
   * process alone, as before. `A2A_AGENT_COORDINATION=off`.
   */
  readonly coordination: CoordinationMode;
  /** Execution lease length; a dead worker's tasks are recovered after it. `A2A_AGENT_LEASE_MS`. */
  readonly leaseMs: number;
  /** How often each worker looks for expired leases. `A2A_AGENT_SWEEP_MS`. */
  readonly sweepMs: number;
  /** What a worker does with a dead worker's running task. `A2A_AGENT_RECOVERY`, default fail. */
  readonly recovery: RecoveryMode;
  /** Worker processes `pnpm start` runs, on consecutive ports from PORT. `A2A_AGENT_WORKERS`. */
  readonly workers: number;
  /**
   * Port of the Prometheus scrape endpoint (`/metrics`: store latency histograms and the
   * `a2a_stores_*` counters). `A2A_AGENT_METRICS_PORT`; unset: no metrics, no OpenTelemetry SDK.
   */
  readonly metricsPort: number | undefined;
  /** Interface of the metrics endpoint. `A2A_AGENT_METRICS_HOST`, default 127.0.0.1. */
  readonly metricsHost: string;
}

export type CoordinationMode = 'auto' | 'off';
/** `fail`: mark it FAILED; `resume`: run the rest of its plan here; `leave`: leave it be. */
export type RecoveryMode = 'fail' | 'resume' | 'leave';

export const DEFAULT_LEASE_MS = 15_000;
export const DEFAULT_SWEEP_MS = 5_000;
export const MAX_WORKERS = 32;

export const DEFAULT_PORT = 41241;

/** Reads and validates the environment; throws an error naming the offending variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  return {
    port: readInteger(env, 'PORT', DEFAULT_PORT, 0, 65_535),
    host: env.HOST || '127.0.0.1',
    publicUrl: env.A2A_PUBLIC_URL || undefined,
    storeUrl: env.A2A_STORE_URL || undefined,
    stepMs: readInteger(env, 'A2A_AGENT_STEP_MS', 1000, 0, 60_000),
    steps: readInteger(env, 'A2A_AGENT_STEPS', 3, 1, 100),
    users: env.A2A_AGENT_USERS || undefined,
    logLevel: parseLogLevel(env.A2A_AGENT_LOG_LEVEL),
    devMode: readDevMode(env),
    passportJwksFile: env.A2A_PASSPORT_JWKS || undefined,
    anonymous: readAnonymous(env),
    coordination: readChoice(env, 'A2A_AGENT_COORDINATION', ['auto', 'off'], 'auto'),
    // Renewal runs every third of the lease, so below a second it competes with the steps.
    leaseMs: readInteger(env, 'A2A_AGENT_LEASE_MS', DEFAULT_LEASE_MS, 300, 600_000),
    sweepMs: readInteger(env, 'A2A_AGENT_SWEEP_MS', DEFAULT_SWEEP_MS, 50, 600_000),
    recovery: readChoice(env, 'A2A_AGENT_RECOVERY', ['fail', 'resume', 'leave'], 'fail'),
    workers: readInteger(env, 'A2A_AGENT_WORKERS', 1, 1, MAX_WORKERS),
    metricsPort: env.A2A_AGENT_METRICS_PORT
      ? readInteger(env, 'A2A_AGENT_METRICS_PORT', 0, 1, 65_535)
      : undefined,
    metricsHost: env.A2A_AGENT_METRICS_HOST || '127.0.0.1',
  };
}

/** `A2A_AGENT_ANONYMOUS`: `shared` (default) or `reject`; anything else stops the agent. */
export function readAnonymous(env: NodeJS.ProcessEnv): AnonymousPolicy {
  const raw = env.A2A_AGENT_ANONYMOUS;
  if (raw === undefined || raw === '') return 'shared';
  if (raw === 'shared' || raw === 'reject') return raw;
  throw new Error(`A2A_AGENT_ANONYMOUS must be shared or reject; got ${JSON.stringify(raw)}`);
}

function readChoice<T extends string>(
  env: NodeJS.ProcessEnv,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  throw new Error(`${name} must be ${choices.join(', ')}; got ${JSON.stringify(raw)}`);
}

/**
 * Whether the agent runs in development mode. An explicit `A2A_AGENT_DEV` wins over `NODE_ENV`,
 * so a test or an operator can force it off; an unrecognised value is refused rather than guessed,
 * because this switch decides which hosts the agent will POST task data to.
 */
export function readDevMode(env: NodeJS.ProcessEnv): boolean {
  const raw = env.A2A_AGENT_DEV;
  if (raw === undefined || raw === '') return env.NODE_ENV === 'development';
  switch (raw.toLowerCase()) {
    case '1':
    case 'true':
      return true;
    case '0':
    case 'false':
      return false;
    default:
      throw new Error(`A2A_AGENT_DEV must be 1, true, 0 or false; got ${JSON.stringify(raw)}`);
  }
}

function readInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `${name} must be an integer between ${min} and ${max}; got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

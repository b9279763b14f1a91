import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Cluster } from '@a2a-stores/core';
import { AGENT_CARD_URL_PATH } from './agent-card.js';
import { DEMO_USERS, parseUsers } from './auth.js';
import { type AgentConfig, DEFAULT_SQLITE_FILE, readConfig } from './config.js';
import { type CoordinationChoice, openCoordination } from './coordination.js';
import { type AgentLogger, createLogger } from './logger.js';
import { type MetricsEndpoint, startMetricsEndpoint } from './metrics.js';
import { type AgentReplayCache, openReplayCache, readPassportJwksFile } from './passport.js';
import { createAgentPushUrlPolicy } from './push-notifications.js';
import { createAgentServer } from './server.js';
import { agentStoreOptions } from './store-options.js';
import { type OpenedStores, openStores, parseStoreUrl } from './stores-from-url.js';
import { checkWorkersFit, isWorkerProcess, reportReady, runWorkers } from './workers.js';

// In-flight requests get this long to finish after their executions are stopped.
const SHUTDOWN_GRACE_MS = 2000;
const SHUTDOWN_DEADLINE_MS = 10_000;
const STRICT_WEBHOOKS = 'https to public hosts only';
const DEV_WEBHOOKS =
  'DEVELOPMENT MODE: loopback webhooks (http or https) accepted too; never use in production';

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  const users = parseUsers(config.users ?? DEMO_USERS);
  const target = parseStoreUrl(config.storeUrl, DEFAULT_SQLITE_FILE);
  checkWorkersFit(config.workers, target);
  if (config.workers > 1 && !isWorkerProcess()) {
    process.exitCode = await runWorkers(config, fileURLToPath(import.meta.url));
    return;
  }
  const pushUrlPolicy = createAgentPushUrlPolicy(config.devMode);
  const passportKeys = config.passportJwksFile ? readPassportJwksFile(config.passportJwksFile) : {};
  const storeOptions = agentStoreOptions(logger, pushUrlPolicy, config.anonymous);
  // Before the stores open, so their first calls (migrate, health) are already measured.
  const metricsEndpoint =
    config.metricsPort === undefined
      ? undefined
      : await startMetricsEndpoint(config.metricsPort, config.metricsHost);
  const stores = await openStores(target, storeOptions);
  let replay: AgentReplayCache;
  let coordination: CoordinationChoice;
  try {
    replay = await openReplayCache(target);
  } catch (error) {
    await stores.bundle.close();
    throw error;
  }
  try {
    coordination = await openCoordination(target, config.coordination, logger);
  } catch (error) {
    await replay.close();
    await stores.bundle.close();
    throw error;
  }
  const closeCoordination = () =>
    coordination.kind === 'cluster' ? coordination.backend.close() : Promise.resolve();

  const httpServer = createServer();
  try {
    await listen(httpServer, config.port, config.host);
  } catch (error) {
    await closeCoordination();
    await replay.close();
    await stores.bundle.close();
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  const publicUrl = config.publicUrl ?? `http://${urlHost(config.host)}:${port}`;
  const agent = createAgentServer({
    taskStore: stores.bundle.taskStore,
    pushNotificationStore: stores.bundle.pushNotificationStore,
    scopeResolver: storeOptions.scopeResolver,
    pushUrlPolicy,
    publicUrl,
    users,
    stepMs: config.stepMs,
    defaultSteps: config.steps,
    logger,
    passportKeys,
    passportReplayCache: replay.replayCache,
    storeHealth: stores.bundle.health?.bind(stores.bundle),
    ...(coordination.kind === 'cluster'
      ? {
          cluster: {
            backend: coordination.backend,
            leaseTtlMs: config.leaseMs,
            sweepIntervalMs: config.sweepMs,
            recovery: config.recovery,
            workerId: workerId(),
          },
        }
      : {}),
  });
  // Attached in the same tick as `listen` resolved, so no request is dropped; requests wait
  // until this worker has joined the cluster (its reply channel subscribed, sweeper running).
  const started = agent.cluster ? agent.cluster.start() : Promise.resolve();
  httpServer.on('request', (req, res) => {
    started.then(
      () => agent.app(req, res),
      () => res.writeHead(503).end(),
    );
  });
  try {
    await started;
  } catch (error) {
    httpServer.closeAllConnections();
    httpServer.close();
    await closeCoordination();
    await replay.close();
    await stores.bundle.close();
    throw error;
  }

  process.stdout.write(
    `Durable A2A agent ready at ${publicUrl}\n` +
      `  agent card: ${publicUrl}${AGENT_CARD_URL_PATH}\n` +
      `  store:      ${stores.description}\n` +
      `  users:      ${[...users.keys()].join(', ')} (Authorization: Bearer <user>:<secret>)\n` +
      `  webhooks:   ${config.devMode ? DEV_WEBHOOKS : STRICT_WEBHOOKS}\n` +
      `  passports:  ${describePassports(passportKeys, replay)}\n` +
      `  cluster:    ${describeCluster(coordination, agent.cluster, config)}\n` +
      `  metrics:    ${metricsEndpoint ? metricsEndpoint.url : 'off (A2A_AGENT_METRICS_PORT unset)'}\n`,
  );
  reportReady({ type: 'ready', url: publicUrl, workerId: agent.cluster?.workerId ?? 'alone' });
  if (config.devMode) {
    // Any caller may register a webhook, so loopback webhooks let callers make this process
    // POST to services on its own machine: acceptable on a developer's laptop only.
    logger.warn('development mode: push webhooks on loopback (http or https) are accepted', {
      host: config.host,
    });
  }

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('second signal, exiting at once', { signal });
      process.exit(130);
    }
    stopping = true;
    const closeCluster = async () => {
      await agent.cluster?.close();
      await closeCoordination();
    };
    shutdown(
      httpServer,
      stores,
      replay,
      metricsEndpoint,
      () => agent.executor.stopAll(),
      closeCluster,
      logger,
      signal,
    ).then(
      () => {
        process.exitCode = 0;
        // A worker's IPC channel to its parent would keep the process alive.
        if (process.connected) process.disconnect();
      },
      (error: unknown) => {
        logger.error('shutdown failed', { error: (error as Error).message });
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // A worker whose parent died (the IPC channel closed) stops too, instead of serving orphaned.
  // (After its own shutdown the worker disconnects too: that is no second signal.)
  if (isWorkerProcess()) {
    process.once('disconnect', () => {
      if (!stopping) onSignal('SIGTERM');
    });
  }
}

/**
 * Leaves the cluster first (no more renewals, and the coordination connection closed, so the
 * leases of the tasks still running here are not released but expire: the other workers then
 * recover those tasks by the recovery policy, as after a crash), stops executions (tasks keep
 * their last saved state), lets in-flight requests finish, then closes the stores so every
 * acknowledged write is flushed before the process exits.
 */
async function shutdown(
  httpServer: Server,
  stores: OpenedStores,
  replay: AgentReplayCache,
  metricsEndpoint: MetricsEndpoint | undefined,
  stopExecutions: () => void,
  closeCluster: () => Promise<void>,
  logger: AgentLogger,
  signal: NodeJS.Signals,
): Promise<void> {
  logger.info('shutting down', { signal });
  setTimeout(() => {
    logger.error('shutdown took too long, exiting');
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS).unref();
  await closeCluster();
  stopExecutions();
  const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
  httpServer.closeIdleConnections();
  const force = setTimeout(() => httpServer.closeAllConnections(), SHUTDOWN_GRACE_MS);
  await closed;
  clearTimeout(force);
  await replay.close();
  await stores.bundle.close();
  await metricsEndpoint?.close();
  logger.info('stopped');
}

function describePassports(keys: object, replay: AgentReplayCache): string {
  const clients = Object.keys(keys).length;
  const cache = replay.replayCache ? 'nonces in Redis' : 'nonces in memory';
  return clients === 0
    ? `no trusted signers (A2A_PASSPORT_JWKS unset); unsigned passports read, ${cache}`
    : `${clients} trusted client id(s) from A2A_PASSPORT_JWKS, ${cache}`;
}

function describeCluster(
  coordination: CoordinationChoice,
  cluster: Cluster | undefined,
  config: AgentConfig,
): string {
  if (coordination.kind === 'alone' || !cluster) {
    return `off (${coordination.kind === 'alone' ? coordination.reason : 'no cluster'}): this process works alone`;
  }
  return (
    `worker ${cluster.workerId} over ${coordination.transport}; lease ${config.leaseMs} ms, ` +
    `sweep ${config.sweepMs} ms, orphaned tasks: ${config.recovery}`
  );
}

/** Unique per process, readable in logs: host, pid and a random suffix (containers reuse pids). */
function workerId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9.-]/g, '')
      .slice(0, 64) || 'host';
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

main().catch((error: unknown) => {
  process.stderr.write(`[durable-agent] failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});

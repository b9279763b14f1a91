import { AgentCard } from '@a2a-js/sdk';
import {
  DefaultExecutionEventBusManager,
  DefaultRequestHandler,
  type PushNotificationStore,
  type TaskStore,
} from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, restHandler } from '@a2a-js/sdk/server/express';
import {
  type Cluster,
  type CoordinationBackend,
  createCluster,
  type PushUrlPolicy,
  ScopeGuardRequestHandler,
  type ScopeResolver,
  type StoreHealth,
} from '@a2a-stores/core';
import {
  PassportRequestHandler,
  passportAudiences,
  type ReplayCache,
  staticKeyResolver,
} from '@a2a-stores/passport';
import express, { type Express } from 'express';
import { AGENT_CARD_URL_PATH, buildAgentCard, JSONRPC_PATH, REST_PATH } from './agent-card.js';
import { createBearerAuth, type UserDirectory } from './auth.js';
import { mapClusterErrors } from './cluster-errors.js';
import { recoveryContextForScope, recoveryPolicy } from './cluster-recovery.js';
import type { RecoveryMode } from './config.js';
import { DemoExecutor } from './executor.js';
import { healthRoute } from './health-route.js';
import { httpErrorHandlers } from './http-errors.js';
import { LEGACY_COMPAT, legacyAgentCardRoutes } from './legacy-protocol.js';
import type { AgentLogger } from './logger.js';
import type { PassportJwksByClient } from './passport.js';
import { createAgentPushSender } from './push-notifications.js';
import { maskStoreErrors } from './store-error-masking.js';

/** What {@link createAgentServer} needs. */
export interface AgentServerOptions {
  readonly taskStore: TaskStore;
  readonly pushNotificationStore: PushNotificationStore;
  /**
   * The scope resolver the stores were opened with (`agentStoreOptions(...).scopeResolver`, the
   * same instance): the scope guard refuses with it, before the executor runs, exactly the calls
   * the stores would refuse.
   */
  readonly scopeResolver: ScopeResolver;
  /**
   * The push URL policy the push notification store was opened with (`pushUrlCheck`); the
   * sender re-checks every webhook with it before each POST.
   */
  readonly pushUrlPolicy: PushUrlPolicy;
  /** Base URL clients reach this server at; advertised in the agent card. */
  readonly publicUrl: string;
  readonly users: UserDirectory;
  readonly stepMs: number;
  readonly defaultSteps: number;
  readonly logger: AgentLogger;
  /** Calling agents whose signed passports are trusted, by client id. Default: none. */
  readonly passportKeys?: PassportJwksByClient;
  /** Where used passport nonces are kept. Default: the passport package's memory cache. */
  readonly passportReplayCache?: ReplayCache;
  /** The store bundle's `health()`, behind `/healthz` (503 when unhealthy). */
  readonly storeHealth?: () => Promise<StoreHealth>;
  /** Run as one worker of a cluster on this coordination backend. Default: alone. */
  readonly cluster?: AgentClusterOptions;
}

/** How the agent joins the other workers on its store (see `openCoordination`). */
export interface AgentClusterOptions {
  readonly backend: CoordinationBackend;
  readonly leaseTtlMs: number;
  readonly sweepIntervalMs: number;
  readonly recovery: RecoveryMode;
  /** Default: a random id per process. */
  readonly workerId?: string;
}

/** The express app and the pieces behind it, for `main.ts` and for tests. */
export interface AgentServer {
  readonly app: Express;
  readonly requestHandler: PassportRequestHandler;
  readonly executor: DemoExecutor;
  readonly agentCard: AgentCard;
  /** Present in cluster mode: `start()` it before serving, `close()` it before the stores. */
  readonly cluster: Cluster | undefined;
}

/**
 * Builds the agent: the SDK's `DefaultRequestHandler` over the given stores and core's guarded
 * push sender, wrapped in core's `ScopeGuardRequestHandler` and then `PassportRequestHandler`,
 * mounted as JSON-RPC and REST behind demo bearer authentication, plus the public agent card, a
 * health probe and JSON answers for malformed requests (see `httpErrorHandlers`).
 *
 * The scope guard refuses a call the stores would refuse (an anonymous caller under
 * `A2A_AGENT_ANONYMOUS=reject`, a tenant over 255 characters, with NUL or an unpaired surrogate)
 * as a client error before the executor runs, and a message on a task that is not waiting for
 * input (UnsupportedOperation), so no caller can pile executions onto a running task.
 *
 * The passport handler verifies each call's Secure Passport before the SDK's handler makes its
 * first store call, so the stores' scope resolver (see `agentStoreOptions`) can scope by verified
 * client id. Policy: passports are optional; a signed passport that fails verification (tampered,
 * unknown key, wrong audience, expired, replayed) is refused as a client error rather than served
 * as if it were unsigned, so a caller never silently lands in another scope than it asked for.
 * Nothing listens yet: the caller owns the HTTP server and the stores' lifetime.
 */
export function createAgentServer(options: AgentServerOptions): AgentServer {
  const agentCard = buildAgentCard(options.publicUrl);
  const executor = new DemoExecutor({
    stepMs: options.stepMs,
    defaultSteps: options.defaultSteps,
    logger: options.logger,
  });
  const taskStore = maskStoreErrors(options.taskStore, options.logger);
  const pushNotificationStore = maskStoreErrors(options.pushNotificationStore, options.logger);
  const pushSender = createAgentPushSender(
    pushNotificationStore,
    options.pushUrlPolicy,
    options.logger,
  );
  const cluster: Cluster | undefined = options.cluster
    ? createAgentCluster(options.cluster, options, taskStore, () => sdkHandler)
    : undefined;
  const sdkHandler: DefaultRequestHandler = new DefaultRequestHandler(
    agentCard,
    taskStore,
    executor,
    cluster?.eventBusManager ?? new DefaultExecutionEventBusManager(),
    pushNotificationStore,
    // In a cluster each event is POSTed once per config, by the worker running the task.
    cluster ? cluster.pushSender(pushSender) : pushSender,
  );
  const requestHandler = new PassportRequestHandler(
    // Inside the passport handler: the resolver reads the verification that one records.
    new ScopeGuardRequestHandler(
      // Cross-worker cancel and subscribe, inside the scope guard: its refusals come first.
      cluster ? mapClusterErrors(cluster.wrap(sdkHandler), options.logger) : sdkHandler,
      { scopeResolver: options.scopeResolver, taskStore },
    ),
    {
      keys: staticKeyResolver(options.passportKeys ?? {}),
      audience: passportAudiences(agentCard),
      onFailed: 'reject',
      ...(options.passportReplayCache ? { replayCache: options.passportReplayCache } : {}),
      onVerification: (verification) => {
        // Status and reason only: the state is the caller's data and stays out of the log.
        if (verification.status === 'failed') {
          options.logger.debug('passport refused', { reason: verification.reason });
        }
      },
    },
  );
  const auth = createBearerAuth(options.users);

  const app = express();
  app.disable('x-powered-by');
  // Liveness: the process serves requests, whatever its store says. An orchestrator restarts a
  // worker that fails this one; it only takes one out of rotation while /healthz fails.
  app.get('/livez', (_req, res) => {
    res.json({ status: 'ok', runningTasks: executor.runningCount });
  });
  app.get(
    '/healthz',
    healthRoute({
      storeHealth: options.storeHealth,
      runningCount: () => executor.runningCount,
      logger: options.logger,
    }),
  );
  // The handler serialises with JSON.stringify, which would put the SDK's internal `$case` form of
  // oneof fields (security schemes) on the wire; the proto JSON form is what every client reads.
  app.use(
    AGENT_CARD_URL_PATH,
    ...legacyAgentCardRoutes(requestHandler),
    agentCardHandler({
      agentCardProvider: async () =>
        AgentCard.toJSON(await requestHandler.getAgentCard()) as AgentCard,
    }),
  );
  app.use(
    JSONRPC_PATH,
    auth.middleware,
    jsonRpcHandler({ requestHandler, userBuilder: auth.userBuilder, ...LEGACY_COMPAT }),
  );
  app.use(
    REST_PATH,
    auth.middleware,
    restHandler({ requestHandler, userBuilder: auth.userBuilder, ...LEGACY_COMPAT }),
  );
  app.use(...httpErrorHandlers(options.logger));
  return { app, requestHandler, executor, agentCard, cluster };
}

function createAgentCluster(
  settings: AgentClusterOptions,
  options: AgentServerOptions,
  taskStore: TaskStore,
  handler: () => DefaultRequestHandler,
): Cluster {
  return createCluster({
    backend: settings.backend,
    taskStore,
    scopeResolver: options.scopeResolver,
    ...(settings.workerId ? { workerId: settings.workerId } : {}),
    leaseTtlMs: settings.leaseTtlMs,
    sweepIntervalMs: settings.sweepIntervalMs,
    // Recovery runs long after construction, so the handler it resumes through exists by then.
    recovery: recoveryPolicy(settings.recovery, handler, options.logger),
    contextForScope: recoveryContextForScope,
    logger: options.logger,
  });
}

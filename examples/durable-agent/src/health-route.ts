import type { StoreHealth } from '@a2a-stores/core';
import type { RequestHandler } from 'express';
import type { AgentLogger } from './logger.js';

/** What `/healthz` reports from. */
export interface HealthRouteOptions {
  /** The store bundle's `health()`; without it the route reports the process only. */
  readonly storeHealth?: () => Promise<StoreHealth>;
  /** Executions running in this process. */
  readonly runningCount: () => number;
  /** Where an unhealthy store's problem (code and message) is written, at warn level. */
  readonly logger: AgentLogger;
}

/**
 * `/healthz`: 200 with `{ status: 'ok', runningTasks, store }` when the store is reachable and
 * its schema current, 503 with `status: 'unhealthy'` otherwise, so a load balancer or an
 * orchestrator's probe takes the instance out of rotation. The body carries booleans and the
 * probe's latency only: the store's error message (host names, database names) stays in the
 * agent's log, not in an unauthenticated response.
 */
export function healthRoute(options: HealthRouteOptions): RequestHandler {
  return (_req, res, next) => {
    if (!options.storeHealth) {
      res.json({ status: 'ok', runningTasks: options.runningCount() });
      return;
    }
    options
      .storeHealth()
      .then((health) => {
        if (health.problem) options.logger.warn('store unhealthy', { ...health.problem });
        res.status(health.healthy ? 200 : 503).json({
          status: health.healthy ? 'ok' : 'unhealthy',
          runningTasks: options.runningCount(),
          store: {
            reachable: health.reachable,
            schemaCurrent: health.schemaCurrent,
            latencyMs: health.latencyMs,
          },
        });
      })
      .catch(next);
  };
}

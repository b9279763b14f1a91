import type { CoordinationBackend, StoreLogger } from '@a2a-stores/core';
import type { CoordinationMode } from './config.js';
import { StoreAdapterUnavailableError, type StoreTarget } from './stores-from-url.js';

/** Why this process runs alone, or which transport joins it to the other workers. */
export type CoordinationChoice =
  | { readonly kind: 'cluster'; readonly backend: CoordinationBackend; readonly transport: string }
  | { readonly kind: 'alone'; readonly reason: string };

type CoordinationFactory = (options: object) => CoordinationBackend;

/** The coordinator each shared store's adapter exports, and how it connects from the URL. */
function factoryFor(
  target: StoreTarget,
  logger: StoreLogger,
): { packageName: string; exportName: string; options: object } | undefined {
  switch (target.kind) {
    case 'redis':
      return {
        packageName: '@a2a-stores/redis',
        exportName: 'createRedisCoordination',
        options: { url: target.url, logger },
      };
    case 'postgres':
      return {
        packageName: '@a2a-stores/postgres',
        exportName: 'createPostgresCoordination',
        options: { connectionString: target.connectionString, logger },
      };
    case 'mysql':
      return {
        packageName: '@a2a-stores/mysql',
        exportName: 'createMysqlCoordination',
        options: { uri: target.uri },
      };
    case 'sqlite':
      return target.filename === ':memory:'
        ? undefined
        : {
            packageName: '@a2a-stores/sqlite',
            exportName: 'createSqliteCoordination',
            options: { filename: target.filename },
          };
    case 'memory':
      return undefined;
  }
}

/**
 * Opens the coordination backend of the store the agent uses, on its own connection from the same
 * URL, so that copies of the agent started on one store URL form one cluster with no other
 * setting. A store only this process sees (`memory:`, `sqlite::memory:`) has nobody to coordinate
 * with; `A2A_AGENT_COORDINATION=off` opts out. The coordination tables are created by the
 * stores' own `migrate()`, which has run by the time this is called.
 */
export async function openCoordination(
  target: StoreTarget,
  mode: CoordinationMode,
  logger: StoreLogger,
): Promise<CoordinationChoice> {
  if (mode === 'off') return { kind: 'alone', reason: 'A2A_AGENT_COORDINATION=off' };
  // Reconnects of the push channel go to the agent's log (the polling transports have none).
  const factory = factoryFor(target, logger);
  if (!factory) return { kind: 'alone', reason: 'the store lives in this process only' };
  let module: Record<string, unknown>;
  try {
    const specifier: string = factory.packageName;
    module = (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    throw new StoreAdapterUnavailableError(
      factory.packageName,
      (error as Error).message.split('\n')[0] ?? 'unknown error',
    );
  }
  const create = module[factory.exportName];
  if (typeof create !== 'function') {
    // An adapter built before it had a coordinator: run as before rather than refuse to start.
    return {
      kind: 'alone',
      reason: `${factory.packageName} has no ${factory.exportName} (rebuild it, or set A2A_AGENT_COORDINATION=off)`,
    };
  }
  const backend = (create as CoordinationFactory)(factory.options);
  return { kind: 'cluster', backend, transport: backend.name };
}

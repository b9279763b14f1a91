import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type CoreStoreOptions, createMemoryStores, type StoreBundle } from '@a2a-stores/core';

/** Where the agent keeps its tasks, parsed from `A2A_STORE_URL`. */
export type StoreTarget =
  | { readonly kind: 'sqlite'; readonly filename: string }
  | { readonly kind: 'postgres'; readonly connectionString: string }
  | { readonly kind: 'mysql'; readonly uri: string }
  | { readonly kind: 'redis'; readonly url: string }
  | { readonly kind: 'memory' };

/** The opened stores and a description of them that is safe to print (no password). */
export interface OpenedStores {
  readonly bundle: StoreBundle;
  readonly target: StoreTarget;
  readonly description: string;
}

const SUPPORTED =
  'sqlite:<path>, sqlite::memory:, postgres://…, postgresql://…, mysql://…, redis://…, rediss://…, memory:';

/** A store URL that names no supported adapter, or is malformed. */
export class StoreUrlError extends Error {
  override readonly name = 'StoreUrlError';
}

/** The adapter package a URL needs could not be loaded (not installed or not built yet). */
export class StoreAdapterUnavailableError extends Error {
  override readonly name = 'StoreAdapterUnavailableError';
  readonly packageName: string;
  constructor(packageName: string, reason: string) {
    super(
      `${packageName} could not be loaded (${reason}). Install and build it, e.g. ` +
        `\`pnpm install && pnpm --filter ${packageName} build\`, or pick another A2A_STORE_URL.`,
    );
    this.packageName = packageName;
  }
}

/**
 * Parses a store URL. Without one, the SQLite file `defaultSqliteFile` is used. Relative sqlite
 * paths resolve against the current directory.
 */
export function parseStoreUrl(url: string | undefined, defaultSqliteFile: string): StoreTarget {
  if (url === undefined || url.trim() === '')
    return { kind: 'sqlite', filename: defaultSqliteFile };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'sqlite': {
      // sqlite:/abs, sqlite:rel, sqlite:///abs and sqlite::memory: are all accepted.
      const rest = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
      if (rest === '')
        throw new StoreUrlError('sqlite: needs a file path, e.g. sqlite:./data/agent.db');
      return { kind: 'sqlite', filename: rest === ':memory:' ? rest : path.resolve(rest) };
    }
    case 'postgres':
    case 'postgresql':
      return { kind: 'postgres', connectionString: url };
    case 'mysql':
      return { kind: 'mysql', uri: url };
    case 'redis':
    case 'rediss':
      return { kind: 'redis', url };
    case 'memory':
      return { kind: 'memory' };
    default:
      throw new StoreUrlError(
        `Unsupported A2A_STORE_URL ${redactStoreUrl(url)}; use one of ${SUPPORTED}`,
      );
  }
}

/** The URL with any password (and the query string, which may carry one) removed. */
export function redactStoreUrl(url: string): string {
  if (/^(sqlite|memory):/i.test(url)) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<unparseable URL>';
  }
  const credentials = parsed.username
    ? `${decodeURIComponent(parsed.username)}${parsed.password ? ':***' : ''}@`
    : parsed.password
      ? ':***@'
      : '';
  const query = parsed.search ? '?…' : '';
  return `${parsed.protocol}//${credentials}${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}${query}`;
}

/** Opens (and migrates) the stores a target names. */
export async function openStores(
  target: StoreTarget,
  coreOptions: CoreStoreOptions,
): Promise<OpenedStores> {
  const bundle = await createBundle(target, coreOptions);
  try {
    await bundle.migrate();
  } catch (error) {
    await bundle.close().catch(() => {});
    throw error;
  }
  return { bundle, target, description: describeTarget(target) };
}

function describeTarget(target: StoreTarget): string {
  switch (target.kind) {
    case 'sqlite':
      return `sqlite ${target.filename}`;
    case 'postgres':
      return `postgres ${redactStoreUrl(target.connectionString)}`;
    case 'mysql':
      return `mysql ${redactStoreUrl(target.uri)}`;
    case 'redis':
      return `redis ${redactStoreUrl(target.url)}`;
    case 'memory':
      return 'memory (not durable: tasks vanish on restart)';
  }
}

async function createBundle(target: StoreTarget, options: CoreStoreOptions): Promise<StoreBundle> {
  switch (target.kind) {
    case 'memory':
      return createMemoryStores(options);
    case 'sqlite': {
      if (target.filename !== ':memory:') {
        mkdirSync(path.dirname(target.filename), { recursive: true, mode: 0o700 });
      }
      const create = await loadFactory('@a2a-stores/sqlite', 'createSqliteStores');
      return create({ filename: target.filename }, options);
    }
    case 'postgres': {
      const create = await loadFactory('@a2a-stores/postgres', 'createPostgresStores');
      return create({ connectionString: target.connectionString }, options);
    }
    case 'mysql': {
      const create = await loadFactory('@a2a-stores/mysql', 'createMysqlStores');
      return create({ uri: target.uri }, options);
    }
    case 'redis': {
      const create = await loadFactory('@a2a-stores/redis', 'createRedisStores');
      return create({ url: target.url }, options);
    }
  }
}

type StoreFactory = (
  connection: object,
  options: CoreStoreOptions,
) => StoreBundle | Promise<StoreBundle>;

/**
 * Loads an adapter only when its URL is chosen, so an agent on SQLite never needs pg, mysql2 or
 * ioredis, and the agent starts even while an adapter package is not built.
 */
export async function loadFactory(packageName: string, exportName: string): Promise<StoreFactory> {
  let module: Record<string, unknown>;
  try {
    // A variable specifier keeps the compiler from requiring every adapter's types up front.
    const specifier: string = packageName;
    module = (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    throw new StoreAdapterUnavailableError(
      packageName,
      (error as Error).message.split('\n')[0] ?? 'unknown error',
    );
  }
  const factory = module[exportName];
  if (typeof factory !== 'function') {
    throw new StoreAdapterUnavailableError(packageName, `it has no ${exportName} export`);
  }
  return factory as StoreFactory;
}

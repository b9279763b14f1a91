import { existsSync } from 'node:fs';
import { portAnswers } from './free-port.js';

export type BackendKind = 'postgres' | 'mysql' | 'redis';

/** Where a test's database came from, and how to let it go. */
export interface TestBackend {
  readonly kind: BackendKind;
  readonly url: string;
  readonly source: 'env' | 'local' | 'container';
  /** Stops a container this process started; a no-op for env and local services. */
  stop(): Promise<void>;
}

interface KindInfo {
  readonly envVar: string;
  readonly port: number;
  readonly localUrl: string;
  readonly image: string;
  readonly howToStart: string;
}

const KINDS: Record<BackendKind, KindInfo> = {
  postgres: {
    envVar: 'A2A_STORES_PG_URL',
    port: 5432,
    localUrl: 'postgres://postgres@127.0.0.1:5432/test',
    image: 'postgres:16-alpine',
    howToStart:
      'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start  (or set A2A_STORES_PG_URL=postgres://user@host:5432/db)',
  },
  mysql: {
    envVar: 'A2A_STORES_MYSQL_URL',
    port: 3306,
    localUrl: 'mysql://root@127.0.0.1:3306/test',
    image: 'mariadb:11',
    howToStart:
      'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd  (or set A2A_STORES_MYSQL_URL=mysql://user@host:3306/db)',
  },
  redis: {
    envVar: 'A2A_STORES_REDIS_URL',
    port: 6379,
    localUrl: 'redis://127.0.0.1:6379',
    image: 'redis:7-alpine',
    howToStart:
      'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no  (or set A2A_STORES_REDIS_URL=redis://host:6379)',
  },
};

function dockerReachable(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

async function startContainer(kind: BackendKind, info: KindInfo): Promise<TestBackend> {
  // Loaded only here: most runs never need Docker, and testcontainers is heavy to import.
  const { GenericContainer, Wait } = await import('testcontainers');
  let container: import('testcontainers').GenericContainer = new GenericContainer(
    info.image,
  ).withExposedPorts(info.port);
  if (kind === 'postgres') {
    container = container
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'test' })
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2));
  } else if (kind === 'mysql') {
    container = container
      .withEnvironment({ MARIADB_ALLOW_EMPTY_ROOT_PASSWORD: '1', MARIADB_DATABASE: 'test' })
      .withWaitStrategy(Wait.forLogMessage(/ready for connections/, 2));
  }
  const started = await container.start();
  const host = started.getHost();
  const port = started.getMappedPort(info.port);
  const url =
    kind === 'postgres'
      ? `postgres://postgres@${host}:${port}/test`
      : kind === 'mysql'
        ? `mysql://root@${host}:${port}/test`
        : `redis://${host}:${port}`;
  return { kind, url, source: 'container', stop: async () => void (await started.stop()) };
}

const cache = new Map<BackendKind, Promise<TestBackend>>();

/**
 * Finds a database for tests, in order: the env URL; the service on its standard loopback port
 * if it answers; a testcontainers container when a Docker engine is reachable. Otherwise it throws
 * an error that says how to start the service: a database test never skips silently.
 */
export function resolveTestBackend(kind: BackendKind): Promise<TestBackend> {
  let pending = cache.get(kind);
  if (!pending) {
    pending = resolveUncached(kind);
    cache.set(kind, pending);
  }
  return pending;
}

async function resolveUncached(kind: BackendKind): Promise<TestBackend> {
  const info = KINDS[kind];
  const fromEnv = process.env[info.envVar];
  if (fromEnv) return { kind, url: fromEnv, source: 'env', stop: async () => {} };
  if (await portAnswers('127.0.0.1', info.port)) {
    return { kind, url: info.localUrl, source: 'local', stop: async () => {} };
  }
  if (dockerReachable()) {
    try {
      return await startContainer(kind, info);
    } catch (error) {
      throw new Error(
        `No ${kind} for tests: nothing answers on 127.0.0.1:${info.port}, ${info.envVar} is unset, and starting a ${info.image} container failed (${(error as Error).message}). Start one with: ${info.howToStart}`,
      );
    }
  }
  throw new Error(
    `No ${kind} for tests: ${info.envVar} is unset, nothing answers on 127.0.0.1:${info.port}, and no Docker engine is reachable. Start one with: ${info.howToStart}`,
  );
}

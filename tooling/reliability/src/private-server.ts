import {
  startMariadbInstance,
  startPostgresInstance,
  startRedisInstance,
} from '@a2a-stores/test-backends';

/** The server adapters, each backed by a private server this suite may kill. */
export type ServerKind = 'postgres' | 'mysql' | 'redis';

/** A private server on a free loopback port, with durable settings, that a test kills at will. */
export interface PrivateServer {
  readonly kind: ServerKind;
  readonly url: string;
  /** SIGKILL (PostgreSQL: the postmaster and every backend); resolves once it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same data and port; resolves once it accepts connections. */
  restart(): Promise<void>;
  /** Kills it and removes its data. */
  destroy(): Promise<void>;
}

/**
 * PostgreSQL with fsync and synchronous commit on; MariaDB with the redo log flushed at every
 * commit; Redis with AOF `appendfsync always`. These are the settings under which an
 * acknowledged write must survive SIGKILL.
 */
export async function startPrivateServer(kind: ServerKind): Promise<PrivateServer> {
  switch (kind) {
    case 'postgres': {
      const server = await startPostgresInstance();
      return {
        kind,
        url: server.url,
        kill: () => server.kill(),
        restart: () => server.restart(),
        destroy: () => server.stop(),
      };
    }
    case 'mysql': {
      const server = await startMariadbInstance();
      return {
        kind,
        url: server.url,
        kill: () => server.kill(),
        restart: () => server.restart(),
        destroy: () => server.destroy(),
      };
    }
    case 'redis': {
      const server = await startRedisInstance({ appendfsync: 'always' });
      return {
        kind,
        url: server.url,
        kill: () => server.kill('SIGKILL'),
        restart: () => server.restart(),
        destroy: () => server.stop(),
      };
    }
  }
}

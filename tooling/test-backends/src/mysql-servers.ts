import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, portAnswers, waitFor } from './free-port.js';

const run = promisify(execFile);

export const MARIADBD = process.env.A2A_STORES_MARIADBD ?? '/usr/sbin/mariadbd';
export const INSTALL_DB = process.env.A2A_STORES_MARIADB_INSTALL_DB ?? 'mariadb-install-db';
const READY_LINE = 'ready for connections';

/** A private MariaDB server owned by one test file: its own datadir, socket and loopback port. */
export interface MariadbInstance {
  /** `mysql://root@127.0.0.1:<port>/test`; the `test` database exists. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** True while the server process is alive. */
  readonly running: boolean;
  /** SIGKILL: no shutdown, no flush; what InnoDB recovery sees after a power cut. */
  kill(): Promise<void>;
  /** Starts the server again on the same datadir and port; resolves once it accepts connections. */
  restart(): Promise<void>;
  /** Kills the server and deletes its datadir. */
  destroy(): Promise<void>;
}

export interface MariadbInstanceOptions {
  /** Server options added to the defaults (e.g. `['--max-allowed-packet=4M']`). */
  readonly extraArgs?: readonly string[];
}

/** The options of a private test server: datadir and socket under `dir`, fsync on commit. */
export function mariadbServerArgs(dir: string, port: number, extra: readonly string[]): string[] {
  return [
    '--no-defaults',
    `--datadir=${join(dir, 'data')}`,
    `--socket=${join(dir, 'mariadbd.sock')}`,
    `--pid-file=${join(dir, 'mariadbd.pid')}`,
    `--log-error=${join(dir, 'error.log')}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    // We run as root in CI containers; mariadbd refuses that unless told explicitly.
    '--user=root',
    // Loopback-only throwaway server: no grant tables, so root needs no password over TCP.
    '--skip-grant-tables',
    // The durability every acknowledged-write test relies on: fsync the redo log at each commit.
    '--innodb-flush-log-at-trx-commit=1',
    '--sync-binlog=1',
    '--innodb-doublewrite=1',
    '--skip-log-bin',
    '--performance-schema=OFF',
    '--innodb-buffer-pool-size=32M',
    '--innodb-log-file-size=16M',
    '--max-connections=200',
    ...extra,
  ];
}

async function readyCount(logFile: string): Promise<number> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.split(READY_LINE).length - 1;
}

/**
 * Starts a private MariaDB (mariadb-install-db into a temp datadir, then mariadbd on a free
 * loopback port) with fsync-on-commit durability, for tests that kill and restart a server.
 */
export async function startMariadbInstance(
  options: MariadbInstanceOptions = {},
): Promise<MariadbInstance> {
  if (!existsSync(MARIADBD)) {
    throw new Error(
      `Cannot start a private MariaDB: ${MARIADBD} is missing (install mariadb-server, or set A2A_STORES_MARIADBD)`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'a2a-stores-mariadb-'));
  const port = await freePort();
  const extra = options.extraArgs ?? [];
  try {
    await run(INSTALL_DB, [
      '--no-defaults',
      `--datadir=${join(dir, 'data')}`,
      '--user=root',
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
      '--innodb-log-file-size=16M',
      '--innodb-buffer-pool-size=32M',
    ]);
    // A database is a directory of the datadir; creating it here avoids needing a SQL client.
    await mkdir(join(dir, 'data', 'test'));
    await writeFile(
      join(dir, 'data', 'test', 'db.opt'),
      'default-character-set=utf8mb4\ndefault-collation=utf8mb4_general_ci\n',
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const logFile = join(dir, 'error.log');

  const start = async () => {
    const before = await readyCount(logFile);
    const proc = spawn(MARIADBD, mariadbServerArgs(dir, port, extra), { stdio: 'ignore' });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    let died = false;
    void exited.then(() => {
      died = true;
    });
    await waitFor(
      `private MariaDB on 127.0.0.1:${port} (log: ${logFile})`,
      async () => {
        if (died) throw new Error(`mariadbd exited during startup; see ${logFile}`);
        return (await readyCount(logFile)) > before && (await portAnswers('127.0.0.1', port));
      },
      60_000,
    );
    if (died) throw new Error(`mariadbd exited during startup; see ${logFile}`);
  };

  const kill = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGKILL');
    await exited;
  };

  await start().catch(async (error) => {
    await kill();
    await rm(dir, { recursive: true, force: true });
    throw error;
  });

  return {
    url: `mysql://root@127.0.0.1:${port}/test`,
    port,
    dataDir: join(dir, 'data'),
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    kill,
    restart: async () => {
      await kill();
      await start();
    },
    destroy: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** True when a Docker engine looks reachable (DOCKER_HOST set, or the default socket exists). */
export function dockerEngineReachable(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

/** A MySQL 8 server in a testcontainers container. */
export interface Mysql8Container {
  /** `mysql://root@host:port/test`. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `mysql:8.0` (root without password, database `test`) through testcontainers. */
export async function startMysql8Container(image = 'mysql:8.0'): Promise<Mysql8Container> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const started = await new GenericContainer(image)
    .withExposedPorts(3306)
    .withEnvironment({ MYSQL_ALLOW_EMPTY_PASSWORD: 'yes', MYSQL_DATABASE: 'test' })
    .withWaitStrategy(Wait.forLogMessage(/ready for connections.*port: 3306/, 1))
    .start();
  return {
    url: `mysql://root@${started.getHost()}:${started.getMappedPort(3306)}/test`,
    stop: async () => void (await started.stop()),
  };
}

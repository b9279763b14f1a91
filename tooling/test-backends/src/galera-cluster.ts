import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from './free-port.js';
import { INSTALL_DB, MARIADBD, mariadbServerArgs } from './mysql-servers.js';

const run = promisify(execFile);
const GALERA_PROVIDER =
  process.env.A2A_STORES_GALERA_PROVIDER ?? '/usr/lib/galera/libgalera_smm.so';
/** The rsync daemon of an rsync SST, started as root, drops to this user (rsyncd's default). */
const RSYNC_DAEMON_UID = 65534;
const INSTALL_HINT = 'apt-get install -y galera-4 rsync mariadb-server mariadb-client';

/** One node of a {@link GaleraCluster}. */
export interface GaleraNode {
  readonly port: number;
  /** `mysql://root@127.0.0.1:<port>/test`. */
  readonly url: string;
  readonly running: boolean;
  /** SIGKILL, waits for the exit. */
  kill(): Promise<void>;
}

/** A MariaDB Galera cluster of this test run: every node on loopback, datadirs in one temp dir. */
export interface GaleraCluster {
  readonly nodes: readonly GaleraNode[];
  /** Seconds from the first mariadbd start to every node Synced. */
  readonly startSeconds: number;
  /** `wsrep_cluster_size` as seen by the node on `port`. */
  clusterSize(port: number): Promise<number>;
  /** Kills every node and removes the directory. */
  stop(): Promise<void>;
}

async function statusOf(port: number, name: string): Promise<string> {
  const { stdout } = await run(
    'mysql',
    ['-h127.0.0.1', `-P${port}`, '-uroot', '-N', '-B', '-e', `SHOW STATUS LIKE '${name}'`],
    { timeout: 10_000 },
  );
  return stdout.trim().split('\t')[1] ?? '';
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts a `size`-node Galera cluster (default 3): the first node initialised with
 * mariadb-install-db and bootstrapped with --wsrep-new-cluster, the others joining by rsync SST.
 * Fails, naming the packages to install, when mariadbd, the Galera library or rsync is missing.
 */
export async function startGaleraCluster(size = 3): Promise<GaleraCluster> {
  for (const [path, what] of [
    [MARIADBD, 'mariadbd'],
    [GALERA_PROVIDER, 'the Galera library'],
    ['/usr/bin/rsync', 'rsync (the SST method)'],
  ] as const) {
    if (!existsSync(path)) {
      throw new Error(
        `Cannot start a Galera cluster: ${what} (${path}) is missing: ${INSTALL_HINT}`,
      );
    }
  }
  const startedAt = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'a2a-galera-'));
  // The SST's rsync daemon (uid nobody) must reach the joiners' datadirs.
  await chmod(dir, 0o755);
  const ports: { sql: number; gcomm: number; ist: number; sst: number }[] = [];
  for (let i = 0; i < size; i++) {
    ports.push({
      sql: await freePort(),
      gcomm: await freePort(),
      ist: await freePort(),
      sst: await freePort(),
    });
  }
  const peers = ports.map((p) => `127.0.0.1:${p.gcomm}`).join(',');
  const children: (ChildProcess | undefined)[] = [];
  const stop = async () => {
    for (const child of children) child?.kill('SIGKILL');
    await Promise.all(children.map((child) => (child ? exited(child) : undefined)));
    await rm(dir, { recursive: true, force: true });
  };

  const startNode = async (i: number, bootstrap: boolean) => {
    const nodeDir = join(dir, `n${i}`);
    const p = ports[i]!;
    // With grant tables: under --skip-grant-tables a trigger's DEFINER is empty, and the other
    // nodes fail to apply its CREATE TRIGGER (Galera logs and ignores the error), leaving them
    // without the trigger. root@127.0.0.1 (no password) comes from mariadb-install-db.
    const args = mariadbServerArgs(nodeDir, p.sql, [
      '--binlog-format=ROW',
      '--innodb-autoinc-lock-mode=2',
      '--wsrep-on=ON',
      `--wsrep-provider=${GALERA_PROVIDER}`,
      `--wsrep-cluster-address=gcomm://${bootstrap ? '' : peers}`,
      '--wsrep-cluster-name=a2a-test',
      '--wsrep-node-address=127.0.0.1',
      `--wsrep-node-name=n${i}`,
      // Short failure detection, so a killed node leaves the component within seconds.
      `--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:${p.gcomm};ist.recv_addr=127.0.0.1:${p.ist};gcache.size=64M;evs.keepalive_period=PT0.5S;evs.inactive_check_period=PT0.5S;evs.suspect_timeout=PT2S;evs.inactive_timeout=PT4S;evs.install_timeout=PT4S`,
      '--wsrep-sst-method=rsync',
      `--wsrep-sst-receive-address=127.0.0.1:${p.sst}`,
      '--wsrep-slave-threads=2',
      ...(bootstrap ? ['--wsrep-new-cluster'] : []),
    ]).filter((arg) => arg !== '--skip-grant-tables');
    const child = spawn(MARIADBD, args, { stdio: 'ignore' });
    child.once('error', () => {});
    process.once('exit', () => child.kill('SIGKILL'));
    children[i] = child;
  };

  const synced = async (i: number) => {
    const child = children[i]!;
    await waitFor(
      `Galera node ${i} Synced (log: ${join(dir, `n${i}`, 'error.log')})`,
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`mariadbd n${i} exited; see ${join(dir, `n${i}`, 'error.log')}`);
        }
        return (await statusOf(ports[i]!.sql, 'wsrep_local_state_comment')) === 'Synced';
      },
      60_000,
    );
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `mariadbd n${i} exited during startup; see ${join(dir, `n${i}`, 'error.log')}`,
      );
    }
  };

  try {
    const first = join(dir, 'n0', 'data');
    await run(INSTALL_DB, [
      '--no-defaults',
      `--datadir=${first}`,
      '--user=root',
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
      '--innodb-log-file-size=16M',
      '--innodb-buffer-pool-size=32M',
    ]);
    await mkdir(join(first, 'test'));
    await writeFile(
      join(first, 'test', 'db.opt'),
      'default-character-set=utf8mb4\ndefault-collation=utf8mb4_general_ci\n',
    );
    await startNode(0, true);
    await synced(0);
    for (let i = 1; i < size; i++) {
      const data = join(dir, `n${i}`, 'data');
      await mkdir(data, { recursive: true });
      await chmod(join(dir, `n${i}`), 0o755);
      await chown(data, RSYNC_DAEMON_UID, RSYNC_DAEMON_UID);
      await startNode(i, false);
    }
    for (let i = 1; i < size; i++) await synced(i);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes: ports.map((p, i) => ({
      port: p.sql,
      url: `mysql://root@127.0.0.1:${p.sql}/test`,
      get running() {
        const child = children[i];
        return child !== undefined && child.exitCode === null && child.signalCode === null;
      },
      kill: async () => {
        const child = children[i];
        if (!child) return;
        child.kill('SIGKILL');
        await exited(child);
      },
    })),
    startSeconds: (Date.now() - startedAt) / 1000,
    clusterSize: async (port) => Number(await statusOf(port, 'wsrep_cluster_size')),
    stop,
  };
}

import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from './free-port.js';

const run = promisify(execFile);

/** Options of a private PostgreSQL server started by {@link startPostgresInstance}. */
export interface PostgresInstanceOptions {
  /**
   * Directory holding `initdb`, `postgres` and `pg_isready`. Default: `A2A_STORES_PG_BIN`, else
   * the newest `/usr/lib/postgresql/<major>/bin` (Debian layout).
   */
  readonly binDir?: string;
  /** Extra server settings (`-c name=value`). fsync and synchronous_commit stay on by default. */
  readonly settings?: Readonly<Record<string, string>>;
  /** How long to wait for the server to accept connections. Default 60 s. */
  readonly readyTimeoutMs?: number;
}

/** A PostgreSQL server of this test run, on a free loopback port with its own data directory. */
export interface PostgresInstance {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication, loopback only). */
  readonly url: string;
  /** The data directory; kept across {@link kill} and {@link restart}. */
  readonly dataDir: string;
  /**
   * Hard stop: SIGKILL to the postmaster and every backend at once (its whole process group), no
   * shutdown checkpoint. Resolves when no process of the server is left.
   */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data directory (crash recovery included). */
  restart(): Promise<void>;
  /** Kills the server (if running) and removes its directory. */
  stop(): Promise<void>;
  /**
   * Ends recovery on a standby (`pg_ctl promote -w`): resolves once it accepts writes.
   * Refused by a server that is not a standby.
   */
  promote(): Promise<void>;
}

/** Options of a streaming standby started by {@link startPostgresStandby}. */
export interface PostgresStandbyOptions extends PostgresInstanceOptions {
  /**
   * `application_name` the standby reports to its primary, the name a primary's
   * `synchronous_standby_names` lists. Default `'standby'`.
   */
  readonly applicationName?: string;
}

/** Process groups of servers still running, killed if the test process exits first. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const group of liveGroups) killGroup(group);
  });
}

function killGroup(group: number): void {
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

function defaultBinDir(): string {
  const fromEnv = process.env.A2A_STORES_PG_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!majors[0]) {
    throw new Error(
      'No PostgreSQL server binaries found under /usr/lib/postgresql/<major>/bin: install them with "apt-get install -y postgresql" (initdb, pg_ctl, pg_basebackup) or set A2A_STORES_PG_BIN',
    );
  }
  return join(root, majors[0], 'bin');
}

/** PostgreSQL refuses to run as root: when we are root, run it as the `postgres` OS user. */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    return { uid, gid };
  } catch {
    throw new Error('Running as root needs a "postgres" OS user to run the test server as');
  }
}

class LocalPostgresInstance implements PostgresInstance {
  readonly host = '127.0.0.1' as const;
  private group: number | undefined;

  constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly binDir: string,
    private readonly user: { uid: number; gid: number } | undefined,
    private readonly settings: Readonly<Record<string, string>>,
    private readonly readyTimeoutMs: number,
    private readonly source?: { primary: PostgresInstance; applicationName: string },
  ) {}

  get url(): string {
    return `postgres://postgres@${this.host}:${this.port}/postgres`;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  async init(): Promise<void> {
    if (this.user) await chown(this.dir, this.user.uid, this.user.gid);
    if (this.source) {
      await this.cloneFrom(this.source.primary, this.source.applicationName);
      return;
    }
    // --no-sync only skips flushing the freshly created files; the server runs with fsync on.
    await run(
      join(this.binDir, 'initdb'),
      [
        '-D',
        this.dataDir,
        '-U',
        'postgres',
        '--auth=trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ],
      { ...this.user, timeout: 120_000 },
    );
  }

  /**
   * A base backup of `primary` streamed with its WAL; -R writes `standby.signal` and the
   * `primary_conninfo` that makes this server follow the primary once started.
   */
  private async cloneFrom(primary: PostgresInstance, applicationName: string): Promise<void> {
    const conninfo = `host=${primary.host} port=${primary.port} user=postgres application_name=${applicationName}`;
    await run(
      join(this.binDir, 'pg_basebackup'),
      ['-d', conninfo, '-D', this.dataDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'],
      { ...this.user, timeout: 120_000 },
    );
  }

  async promote(): Promise<void> {
    await run(join(this.binDir, 'pg_ctl'), ['promote', '-D', this.dataDir, '-w', '-t', '60'], {
      ...this.user,
      timeout: 70_000,
    });
  }

  async start(): Promise<void> {
    const settings: Record<string, string> = {
      listen_addresses: this.host,
      unix_socket_directories: this.dir,
      fsync: 'on',
      synchronous_commit: 'on',
      shared_buffers: '16MB',
      max_connections: '40',
      ...this.settings,
    };
    const args = ['-D', this.dataDir, '-p', String(this.port)];
    for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
    const log = await open(join(this.dir, 'postgres.log'), 'a');
    const child = spawn(join(this.binDir, 'postgres'), args, {
      ...this.user,
      // Its own process group, so kill() reaches the postmaster and every backend at once.
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
    });
    await log.close();
    const group = child.pid;
    if (group === undefined) throw new Error('could not spawn postgres');
    this.group = group;
    liveGroups.add(group);
    child.unref();
    const failed = new Promise<never>((_, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        reject(
          new Error(
            `postgres on port ${this.port} exited early (${code ?? signal}); the end of its log:\n${this.logTail()}`,
          ),
        ),
      );
    });
    failed.catch(() => {});
    await Promise.race([
      waitFor(
        `postgres on port ${this.port}`,
        () => this.acceptsConnections(),
        this.readyTimeoutMs,
      ),
      failed,
    ]);
  }

  /** The last lines of the server's log: the folder is gone once the test stops the instance. */
  private logTail(): string {
    try {
      return readFileSync(join(this.dir, 'postgres.log'), 'utf8')
        .trimEnd()
        .split('\n')
        .slice(-8)
        .join('\n');
    } catch (error) {
      return `(log unreadable: ${(error as Error).message})`;
    }
  }

  private async acceptsConnections(): Promise<boolean> {
    // pg_isready exits 0 only once the server accepts connections (not while recovering).
    await run(
      join(this.binDir, 'pg_isready'),
      ['-h', this.host, '-p', String(this.port), '-t', '2'],
      {
        timeout: 5_000,
      },
    );
    return true;
  }

  async kill(): Promise<void> {
    const group = this.group;
    if (group === undefined) return;
    this.group = undefined;
    killGroup(group);
    // A restart while a backend of the old server still holds shared memory would be refused.
    await waitFor(
      `postgres process group ${group} to exit`,
      async () => !groupAlive(group),
      30_000,
    );
    liveGroups.delete(group);
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  async stop(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Starts a private PostgreSQL server (initdb + postgres) on a free loopback port in a fresh
 * temporary directory, with fsync and synchronous commit on, and waits until it accepts
 * connections. When the test runs as root, the server runs as the `postgres` OS user.
 */
export async function startPostgresInstance(
  options: PostgresInstanceOptions = {},
): Promise<PostgresInstance> {
  installExitHook();
  const binDir = options.binDir ?? defaultBinDir();
  const user = await serverUser();
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'a2a-pg-'));
  const instance = new LocalPostgresInstance(
    port,
    dir,
    binDir,
    user,
    options.settings ?? {},
    options.readyTimeoutMs ?? 60_000,
  );
  try {
    await instance.init();
    await instance.start();
  } catch (error) {
    await instance.stop();
    throw error;
  }
  return instance;
}

/**
 * Starts a streaming-replication standby of `primary` (pg_basebackup -R) on a free loopback
 * port, and waits until it accepts (read-only) connections. The primary needs no extra settings:
 * initdb's defaults (wal_level replica, max_wal_senders 10, replication allowed from loopback in
 * pg_hba) are enough. For synchronous replication, start the primary with
 * `synchronous_standby_names` naming {@link PostgresStandbyOptions.applicationName}.
 */
export async function startPostgresStandby(
  primary: PostgresInstance,
  options: PostgresStandbyOptions = {},
): Promise<PostgresInstance> {
  installExitHook();
  const binDir = options.binDir ?? defaultBinDir();
  for (const tool of ['pg_basebackup', 'pg_ctl']) {
    if (!existsSync(join(binDir, tool))) {
      throw new Error(
        `${tool} not found in ${binDir}: install it with "apt-get install -y postgresql" or set A2A_STORES_PG_BIN`,
      );
    }
  }
  const user = await serverUser();
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'a2a-pg-standby-'));
  const instance = new LocalPostgresInstance(
    port,
    dir,
    binDir,
    user,
    options.settings ?? {},
    options.readyTimeoutMs ?? 60_000,
    { primary, applicationName: options.applicationName ?? 'standby' },
  );
  try {
    await instance.init();
    await instance.start();
  } catch (error) {
    await instance.stop();
    throw error;
  }
  return instance;
}

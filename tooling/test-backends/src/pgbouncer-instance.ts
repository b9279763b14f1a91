import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, portAnswers, waitFor } from './free-port.js';

const run = promisify(execFile);

/** Where Debian's `pgbouncer` package installs the binary; `A2A_STORES_PGBOUNCER` overrides it. */
const DEFAULT_BINARY = '/usr/sbin/pgbouncer';

/** Options of a private PgBouncer started by {@link startPgBouncer}. */
export interface PgBouncerOptions {
  /** The PostgreSQL server behind it (loopback host and port; trust authentication). */
  readonly server: { readonly host: string; readonly port: number };
  /** `pool_mode`. Default `'transaction'`, the mode that breaks session state. */
  readonly poolMode?: 'session' | 'transaction' | 'statement';
  /**
   * Server connections per database/user pair. Default 4: more than one, so consecutive
   * transactions of one client land on different server connections, as in production.
   */
  readonly poolSize?: number;
  /** Extra `[pgbouncer]` settings. */
  readonly settings?: Readonly<Record<string, string>>;
}

/** A PgBouncer process of this test run, listening on a free loopback port. */
export interface PgBouncerInstance {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** A connection URL through the pooler to database `database` as user `postgres`. */
  url(database: string): string;
  /** Stops PgBouncer and removes its directory. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

function binary(): string {
  const path = process.env.A2A_STORES_PGBOUNCER ?? DEFAULT_BINARY;
  if (!existsSync(path)) {
    // A missing binary fails the test that needs it, with the command that fixes it.
    throw new Error(
      `PgBouncer not found at ${path}: install it with "apt-get install -y pgbouncer" (or set A2A_STORES_PGBOUNCER)`,
    );
  }
  return path;
}

/** PgBouncer refuses to run as root: when we are root, run it as the `postgres` OS user. */
async function serviceUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  return { uid, gid };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-8).join('\n');
  } catch (error) {
    return `(log unreadable: ${(error as Error).message})`;
  }
}

/**
 * Starts PgBouncer (Debian's 1.18 by default) in front of `server` on a free loopback port, with
 * trust authentication and the given pool mode, and waits until it accepts connections.
 */
export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncerInstance> {
  installExitHook();
  const path = binary();
  const user = await serviceUser();
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'a2a-pgbouncer-'));
  const ini = join(dir, 'pgbouncer.ini');
  const users = join(dir, 'users.txt');
  const logFile = join(dir, 'pgbouncer.log');
  const settings: Record<string, string> = {
    listen_addr: '127.0.0.1',
    listen_port: String(port),
    unix_socket_dir: '',
    auth_type: 'trust',
    auth_file: users,
    pool_mode: options.poolMode ?? 'transaction',
    default_pool_size: String(options.poolSize ?? 4),
    max_client_conn: '200',
    // What production configurations ignore; anything else a client sends at startup (pg's
    // statement_timeout, options=-c ...) is refused, as it is in production.
    ignore_startup_parameters: 'extra_float_digits',
    logfile: logFile,
    ...options.settings,
  };
  const lines = [
    '[databases]',
    `* = host=${options.server.host} port=${options.server.port} user=postgres`,
    '[pgbouncer]',
    ...Object.entries(settings).map(([k, v]) => `${k} = ${v}`),
  ];
  await writeFile(ini, `${lines.join('\n')}\n`);
  await writeFile(users, '"postgres" ""\n');
  if (user) {
    for (const file of [dir, ini, users]) await chown(file, user.uid, user.gid);
  }
  const out = await open(join(dir, 'stdout.log'), 'a');
  const child = spawn(path, [ini], { ...user, stdio: ['ignore', out.fd, out.fd] });
  await out.close();
  live.add(child);
  const failed = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(
        new Error(
          `pgbouncer exited early (${code ?? signal}):\n${logTail(logFile)}\n${logTail(join(dir, 'stdout.log'))}`,
        ),
      ),
    );
  });
  failed.catch(() => {});
  const stop = async () => {
    child.kill('SIGKILL');
    await exited(child);
    live.delete(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      waitFor(`pgbouncer on port ${port}`, () => portAnswers('127.0.0.1', port), 30_000),
      failed,
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    host: '127.0.0.1',
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop,
  };
}

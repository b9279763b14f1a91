/** Names of the databases bench runs create, one per run: the prefix, then the run's pid. */
const PREFIX = 'a2a_stores_bench_';

/** This run's own database: concurrent bench runs on one server never drop each other's. */
export const BENCH_DATABASE = `${PREFIX}${process.pid}`;

/** The pattern (SQL LIKE, `\` escaping `_`) that finds every run's database on a server. */
export const BENCH_DATABASE_LIKE = `${PREFIX.replaceAll('_', '\\_')}%`;

/** A run's database name, capturing its pid. */
const ORPHAN_NAME = new RegExp(`^${PREFIX}([1-9][0-9]{0,9})$`);

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: a process of another user holds the pid, alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Databases among `names` left by bench runs that no longer run: a run drops its own when it
 * ends, but one killed first leaves it behind, with every seeded table. Only on a loopback
 * server, whose every bench run ran on this host (a pid means nothing on another); never this
 * run's own.
 */
export function orphanedBenchDatabases(
  serverUrl: string,
  names: readonly string[],
  isAlive: (pid: number) => boolean = processIsAlive,
): string[] {
  if (!isLoopback(serverUrl)) return [];
  return names.filter((name) => {
    const pid = ORPHAN_NAME.exec(name)?.[1];
    return pid !== undefined && name !== BENCH_DATABASE && !isAlive(Number(pid));
  });
}

/** What {@link freshBenchDatabase} needs of one server, each call on an admin connection. */
export interface BenchDatabaseAdmin {
  /** Names of the databases matching `like` (SQL LIKE, `\` escaping). */
  namesLike(like: string): Promise<string[]>;
  /** Drops database `name` if it exists (forcing out its sessions where the engine can). */
  drop(name: string): Promise<void>;
  create(name: string): Promise<void>;
}

/**
 * Creates this run's database on the server of `url` (empty), and the way to drop it; drops the
 * databases of killed runs first (see {@link orphanedBenchDatabases}).
 */
export async function freshBenchDatabase(
  url: string,
  admin: BenchDatabaseAdmin,
): Promise<{ url: string; drop(): Promise<void> }> {
  const names = await admin.namesLike(BENCH_DATABASE_LIKE);
  for (const orphan of orphanedBenchDatabases(url, names)) await admin.drop(orphan);
  const drop = () => admin.drop(BENCH_DATABASE);
  await drop();
  await admin.create(BENCH_DATABASE);
  const target = new URL(url);
  target.pathname = `/${BENCH_DATABASE}`;
  return { url: target.toString(), drop };
}

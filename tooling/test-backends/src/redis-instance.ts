import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from './free-port.js';

const run = promisify(execFile);

/** Options of a private `redis-server` started by {@link startRedisInstance}. */
export interface RedisInstanceOptions {
  /** Turns on the append-only file with this fsync policy. Default: no AOF, no RDB snapshots. */
  readonly appendfsync?: 'always' | 'everysec' | 'no';
  /** Extra `redis-server` arguments, e.g. `['--replicaof', '127.0.0.1', '6380']`. */
  readonly extraArgs?: readonly string[];
  /** How long to wait for the server to answer PING. Default 30 s. */
  readonly readyTimeoutMs?: number;
}

/** A `redis-server` process of this test run, on a free loopback port with its own data dir. */
export interface RedisInstance {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly url: string;
  /** The data directory (AOF, nodes.conf); kept across {@link kill} and {@link restart}. */
  readonly dir: string;
  /** Sends `signal` (default SIGKILL: no shutdown save, no AOF rewrite) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and directory and waits until it answers PING. */
  restart(): Promise<void>;
  /** Kills the server (if running) and removes its directory. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A test that crashes must not leave servers behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** Runs `redis-cli` against a port and returns its stdout (throws when it exits non-zero). */
export async function redisCli(port: number, args: readonly string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    timeout: 10_000,
  });
  return stdout;
}

async function answersPing(port: number): Promise<boolean> {
  // A restarting server replies LOADING until its AOF is replayed; only PONG means ready.
  return (await redisCli(port, ['ping'])).trim() === 'PONG';
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

class LocalRedisInstance implements RedisInstance {
  readonly host = '127.0.0.1' as const;
  private child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    readonly dir: string,
    private readonly args: readonly string[],
    private readonly readyTimeoutMs: number,
  ) {}

  get url(): string {
    return `redis://${this.host}:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', this.args, { stdio: 'ignore' });
    this.child = child;
    live.add(child);
    child.once('exit', () => live.delete(child));
    const failed = new Promise<never>((_, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        reject(new Error(`redis-server on port ${this.port} exited early (${code ?? signal})`)),
      );
    });
    failed.catch(() => {});
    await Promise.race([
      waitFor(
        `redis-server on port ${this.port}`,
        () => answersPing(this.port),
        this.readyTimeoutMs,
      ),
      failed,
    ]);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    child.kill(signal);
    await exited(child);
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

function baseArgs(port: number, dir: string): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--daemonize',
    'no',
    '--protected-mode',
    'no',
    '--logfile',
    join(dir, 'redis.log'),
  ];
}

/**
 * Starts a private `redis-server` on a free loopback port with a fresh temporary directory, and
 * waits until it answers PING. Requires the `redis-server` and `redis-cli` binaries on PATH.
 */
export async function startRedisInstance(
  options: RedisInstanceOptions = {},
): Promise<RedisInstance> {
  installExitHook();
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'a2a-redis-'));
  const args = baseArgs(port, dir);
  if (options.appendfsync) args.push('--appendonly', 'yes', '--appendfsync', options.appendfsync);
  else args.push('--appendonly', 'no');
  args.push(...(options.extraArgs ?? []));
  const instance = new LocalRedisInstance(port, dir, args, options.readyTimeoutMs ?? 30_000);
  try {
    await instance.start();
  } catch (error) {
    await instance.stop();
    throw error;
  }
  return instance;
}

/** Shape of a test cluster started by {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** Replicas per master (default 0). With replicas, a killed master is failed over. */
  readonly replicasPerMaster?: number;
  /** `cluster-node-timeout`: how long a node must be silent to be failed (default 5000 ms). */
  readonly nodeTimeoutMs?: number;
}

/** A Redis Cluster of this test run, every slot assigned. */
export interface RedisClusterInstance {
  readonly nodes: readonly { readonly host: '127.0.0.1'; readonly port: number }[];
  /** The node processes, in the order of {@link nodes} (which are masters: ask CLUSTER NODES). */
  readonly instances: readonly RedisInstance[];
  /** Kills every node with SIGKILL (their directories, nodes.conf included, stay). */
  kill(): Promise<void>;
  /** Starts every node again on its port and directory; waits for `cluster_state:ok`. */
  restart(): Promise<void>;
  /** Kills every node and removes their directories. */
  stop(): Promise<void>;
}

async function clusterStateOk(port: number): Promise<boolean> {
  return (await redisCli(port, ['cluster', 'info'])).includes('cluster_state:ok');
}

/**
 * Starts `masters` (default 3) masters and `replicasPerMaster` replicas of each as cluster-enabled
 * `redis-server`s on free loopback ports (client and bus ports both picked free), joins them with
 * `redis-cli --cluster create`, and waits until every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(
  masters = 3,
  options: RedisClusterOptions = {},
): Promise<RedisClusterInstance> {
  const replicas = options.replicasPerMaster ?? 0;
  const started: RedisInstance[] = [];
  const stop = async () => {
    await Promise.all(started.map((node) => node.stop()));
  };
  const waitForClusterOk = async () => {
    for (const node of started) {
      await waitFor(
        `cluster_state:ok on port ${node.port}`,
        () => clusterStateOk(node.port),
        60_000,
      );
    }
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      const busPort = await freePort();
      started.push(
        await startRedisInstance({
          extraArgs: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-port',
            String(busPort),
            '--cluster-node-timeout',
            String(options.nodeTimeoutMs ?? 5000),
          ],
        }),
      );
    }
    const addresses = started.map((node) => `127.0.0.1:${node.port}`);
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...addresses,
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      {
        timeout: 60_000,
      },
    );
    await waitForClusterOk();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes: started.map((node) => ({ host: '127.0.0.1' as const, port: node.port })),
    instances: started,
    kill: async () => {
      await Promise.all(started.map((node) => node.kill('SIGKILL')));
    },
    restart: async () => {
      await Promise.all(started.map((node) => node.restart()));
      await waitForClusterOk();
    },
    stop,
  };
}

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './free-port.js';
import { type RedisInstance, redisCli, startRedisInstance } from './redis-instance.js';

/** The master name the sentinels of {@link startRedisSentinelGroup} monitor. */
export const SENTINEL_MASTER_NAME = 'a2a-test-master';

/** A master, its replicas and a quorum of sentinels of this test run, all on loopback. */
export interface RedisSentinelGroup {
  readonly masterName: string;
  /** The sentinels, as ioredis' `sentinels` option wants them. */
  readonly sentinels: readonly { readonly host: '127.0.0.1'; readonly port: number }[];
  /** The data servers; [0] is the first master. */
  readonly servers: readonly RedisInstance[];
  /** The port sentinels currently report as the master (asks the first sentinel that answers). */
  masterPort(): Promise<number>;
  /** Kills every process and removes their directories. */
  stop(): Promise<void>;
}

export interface RedisSentinelOptions {
  /** Replicas of the master (default 2: after a failover the new master still has one). */
  readonly replicas?: number;
  /** Sentinels (default 3, quorum 2). */
  readonly sentinels?: number;
  /** `down-after-milliseconds`: how long the master must be silent to be failed over (default 1000). */
  readonly downAfterMs?: number;
}

const SENTINEL_BIN = process.env.A2A_STORES_REDIS_SENTINEL ?? '/usr/bin/redis-sentinel';

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** `SENTINEL MASTER` as a field → value map (redis-cli prints one per line, alternating). */
async function sentinelMasterInfo(port: number): Promise<Map<string, string>> {
  const lines = (await redisCli(port, ['sentinel', 'master', SENTINEL_MASTER_NAME]))
    .trim()
    .split('\n');
  const info = new Map<string, string>();
  for (let i = 0; i + 1 < lines.length; i += 2) info.set(lines[i]!.trim(), lines[i + 1]!.trim());
  return info;
}

/**
 * Starts a master, `replicas` replicas and `sentinels` sentinels (quorum: a majority) on free
 * loopback ports, and waits until every sentinel sees the others and every replica. Fails, naming
 * the package to install, when `redis-sentinel` is missing.
 */
export async function startRedisSentinelGroup(
  options: RedisSentinelOptions = {},
): Promise<RedisSentinelGroup> {
  if (!existsSync(SENTINEL_BIN)) {
    throw new Error(
      `Cannot start Redis Sentinel: ${SENTINEL_BIN} is missing (apt-get install -y redis-sentinel, or set A2A_STORES_REDIS_SENTINEL)`,
    );
  }
  const replicaCount = options.replicas ?? 2;
  const sentinelCount = options.sentinels ?? 3;
  const quorum = Math.floor(sentinelCount / 2) + 1;
  const servers: RedisInstance[] = [];
  const sentinelProcs: ChildProcess[] = [];
  const sentinelPorts: number[] = [];
  const dirs: string[] = [];
  const stop = async () => {
    for (const child of sentinelProcs) child.kill('SIGKILL');
    await Promise.all(sentinelProcs.map(exited));
    await Promise.all(servers.map((server) => server.stop()));
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  };
  try {
    // Full syncs at once instead of after the default 5 s diskless-sync delay.
    const fastSync = ['--repl-diskless-sync-delay', '0'];
    const master = await startRedisInstance({ extraArgs: fastSync });
    servers.push(master);
    for (let i = 0; i < replicaCount; i++) {
      servers.push(
        await startRedisInstance({
          extraArgs: [...fastSync, '--replicaof', '127.0.0.1', String(master.port)],
        }),
      );
    }
    for (const replica of servers.slice(1)) {
      await waitFor(
        `replica ${replica.port} linked to ${master.port}`,
        async () =>
          (await redisCli(replica.port, ['info', 'replication'])).includes('master_link_status:up'),
        30_000,
      );
    }
    for (let i = 0; i < sentinelCount; i++) {
      const port = await freePort();
      const dir = await mkdtemp(join(tmpdir(), 'a2a-sentinel-'));
      dirs.push(dir);
      const conf = join(dir, 'sentinel.conf');
      await writeFile(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          'protected-mode no',
          `dir ${dir}`,
          `logfile ${join(dir, 'sentinel.log')}`,
          `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${master.port} ${quorum}`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} ${options.downAfterMs ?? 1000}`,
          `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 10000`,
          `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
          '',
        ].join('\n'),
      );
      const child = spawn(SENTINEL_BIN, [conf], { stdio: 'ignore' });
      child.once('error', () => {});
      process.once('exit', () => child.kill('SIGKILL'));
      sentinelProcs.push(child);
      sentinelPorts.push(port);
    }
    for (const port of sentinelPorts) {
      await waitFor(
        `sentinel ${port} to see ${sentinelCount - 1} sentinels and ${replicaCount} replicas`,
        async () => {
          const info = await sentinelMasterInfo(port);
          return (
            Number(info.get('num-other-sentinels')) === sentinelCount - 1 &&
            Number(info.get('num-slaves')) === replicaCount
          );
        },
        30_000,
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    masterName: SENTINEL_MASTER_NAME,
    sentinels: sentinelPorts.map((port) => ({ host: '127.0.0.1' as const, port })),
    servers,
    masterPort: async () => {
      let last: unknown;
      for (const port of sentinelPorts) {
        try {
          const reply = await redisCli(port, [
            'sentinel',
            'get-master-addr-by-name',
            SENTINEL_MASTER_NAME,
          ]);
          return Number(reply.trim().split('\n')[1]);
        } catch (error) {
          last = error;
        }
      }
      throw last;
    },
    stop,
  };
}

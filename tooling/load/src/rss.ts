import { readFile } from 'node:fs/promises';

/** One reading of a process's resident set size, in KiB. */
export interface RssSample {
  /** Seconds since the sampler started. */
  readonly t: number;
  /** `VmRSS`: the figure the bound applies to. */
  readonly rssKiB: number;
  /**
   * Its parts (`RssAnon`: heap and native allocations; `RssFile`: mapped files such as code;
   * `RssShmem`: shared memory, e.g. SQLite's WAL index), telling a leak from file pages.
   */
  readonly anonKiB: number;
  readonly fileKiB: number;
  readonly shmemKiB: number;
}

function statusField(status: string, field: string): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
  return match ? Number(match[1]) : undefined;
}

/** Reads `VmRSS` (KiB) from the text of `/proc/<pid>/status`; `undefined` when absent. */
export function parseVmRssKiB(status: string): number | undefined {
  return statusField(status, 'VmRSS');
}

/** Reads the RSS figures of a `/proc/<pid>/status` text; `undefined` without `VmRSS`. */
export function parseRss(status: string): Omit<RssSample, 't'> | undefined {
  const rssKiB = parseVmRssKiB(status);
  if (rssKiB === undefined) return undefined;
  return {
    rssKiB,
    anonKiB: statusField(status, 'RssAnon') ?? 0,
    fileKiB: statusField(status, 'RssFile') ?? 0,
    shmemKiB: statusField(status, 'RssShmem') ?? 0,
  };
}

/** Samples a process's RSS from procfs at a fixed interval until stopped. */
export interface RssSampler {
  samples(): readonly RssSample[];
  stop(): Promise<void>;
}

/**
 * Starts sampling `/proc/<pid>/status` every `intervalMs` (Linux only: elsewhere it fails at
 * once, since a load run without memory figures would pass for what it did not measure).
 */
export async function startRssSampler(pid: number, intervalMs = 1000): Promise<RssSampler> {
  const path = `/proc/${pid}/status`;
  const samples: RssSample[] = [];
  const started = performance.now();
  const read = async () => {
    const rss = parseRss(await readFile(path, 'utf8'));
    if (rss) samples.push({ t: (performance.now() - started) / 1000, ...rss });
  };
  try {
    await read();
  } catch (error) {
    throw new Error(
      `cannot read ${path} to sample the agent's memory: ${(error as Error).message}`,
    );
  }
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    // The process may exit between two samples; the last reading then stands.
    pending = read().catch(() => {});
  }, intervalMs);
  return {
    samples: () => samples,
    stop: async () => {
      clearInterval(timer);
      await pending;
    },
  };
}

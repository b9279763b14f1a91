import { readFileSync } from 'node:fs';

/**
 * Where a mixed run's CPU went, per operation: the bench process itself (every subject's client
 * side, its driver and codec included, plus the harness's checks, the same for all), and the rest
 * of the host (on a quiet host, as the benchmark asks for: the database server). Throughput alone
 * does not tell a store that costs its server more from one that costs its client more.
 */
export interface CpuPerOp {
  /** µs of this process's CPU (user + system) per operation. */
  readonly benchUs: number;
  /** µs of every other process's CPU per operation; undefined where the host's is not known. */
  readonly otherUs?: number;
}

/** A reading to measure from. */
export interface CpuMark {
  readonly process: NodeJS.CpuUsage;
  readonly hostBusyUs: number | undefined;
}

/**
 * Clock ticks per second of /proc/stat. Linux reports in USER_HZ, which is 100 on every
 * architecture Node runs on (the kernel's ABI, whatever its internal HZ).
 */
const USER_HZ = 100;

/**
 * CPU the whole host spent busy since boot, in µs, from the text of /proc/stat: user, nice,
 * system, irq and softirq of its aggregate line (idle and iowait left out: waiting is not work).
 * Undefined for a text without that line.
 */
export function busyUsOfProcStat(stat: string | undefined): number | undefined {
  const line = stat?.split('\n', 1)[0];
  if (!line?.startsWith('cpu ')) return undefined;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq] = ticks;
  if ([user, nice, system, irq, softirq].some((t) => t === undefined || !Number.isFinite(t))) {
    return undefined;
  }
  return ((user! + nice! + system! + irq! + softirq!) * 1_000_000) / USER_HZ;
}

/** {@link busyUsOfProcStat} of this host now; undefined where /proc/stat is not there (not Linux). */
function hostBusyUs(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  return busyUsOfProcStat(stat);
}

export function cpuMark(): CpuMark {
  return { process: process.cpuUsage(), hostBusyUs: hostBusyUs() };
}

/** The CPU spent since `start`, per each of `ops` operations. */
export function cpuPerOpSince(start: CpuMark, ops: number): CpuPerOp {
  const used = process.cpuUsage(start.process);
  const benchUs = used.user + used.system;
  const hostNow = hostBusyUs();
  const per = (us: number) => us / Math.max(ops, 1);
  if (start.hostBusyUs === undefined || hostNow === undefined) return { benchUs: per(benchUs) };
  // Ticks are 10 ms apiece: over a short run the host's count can trail this process's own.
  const otherUs = Math.max(0, hostNow - start.hostBusyUs - benchUs);
  return { benchUs: per(benchUs), otherUs: per(otherUs) };
}

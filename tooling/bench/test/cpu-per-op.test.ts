import { describe, expect, it } from 'vitest';
import { busyUsOfProcStat, cpuMark, cpuPerOpSince } from '../src/cpu-per-op.js';

describe('CPU per operation', () => {
  it('reads busy time off the aggregate line of /proc/stat, idle and iowait left out', () => {
    // user nice system idle iowait irq softirq steal guest guest_nice, in 1/100 s
    const stat = 'cpu  100 20 30 5000 400 6 4 0 0 0\ncpu0 50 10 15 2500 200 3 2 0 0 0\n';
    expect(busyUsOfProcStat(stat)).toBe((100 + 20 + 30 + 6 + 4) * 10_000);
  });

  it('says nothing of a host whose /proc/stat it cannot read', () => {
    expect(busyUsOfProcStat(undefined)).toBeUndefined();
    expect(busyUsOfProcStat('intr 1 2 3\n')).toBeUndefined();
    expect(busyUsOfProcStat('cpu  1 2\n')).toBeUndefined();
  });

  it("divides this process's CPU since a mark by the operations", () => {
    const start = cpuMark();
    let spin = 0;
    const until = process.hrtime.bigint() + 30_000_000n;
    while (process.hrtime.bigint() < until) spin++;
    expect(spin).toBeGreaterThan(0);
    const total = cpuPerOpSince(start, 1);
    const perTen = cpuPerOpSince(start, 10);
    // ~30 ms of spinning, whatever else the host runs.
    expect(total.benchUs).toBeGreaterThan(15_000);
    expect(perTen.benchUs).toBeLessThan(total.benchUs);
    expect(perTen.benchUs * 10).toBeGreaterThan(total.benchUs * 0.5);
  });
});

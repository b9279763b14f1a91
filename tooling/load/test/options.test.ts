import { describe, expect, it } from 'vitest';
import { parseLoadOptions } from '../src/options.js';

describe('parseLoadOptions', () => {
  it('defaults to 32 clients for 3 minutes on sqlite and postgres', () => {
    const options = parseLoadOptions([], '/out');
    expect(options).toMatchObject({
      quick: false,
      durationSec: 180,
      warmupSec: 30,
      clients: 32,
      maxRequests: 300_000,
      rssBoundMiB: 64,
      backends: ['sqlite', 'postgres'],
      outDir: '/out',
    });
  });

  it('--quick shortens the run to 30 s and ignores the `--` pnpm forwards', () => {
    const options = parseLoadOptions(['--', '--quick'], '/out');
    expect(options.durationSec).toBe(30);
    expect(options.warmupSec).toBe(10);
    expect(options.maxRequests).toBe(50_000);
  });

  it('takes explicit duration, clients, cap and backends', () => {
    const options = parseLoadOptions(
      ['--duration', '60', '--clients', '8', '--max-requests', '1000', '--backends', 'postgres'],
      '/out',
    );
    expect(options).toMatchObject({
      durationSec: 60,
      clients: 8,
      maxRequests: 1000,
      backends: ['postgres'],
    });
  });

  it('refuses an unbounded or malformed run', () => {
    expect(() => parseLoadOptions(['--duration', '0'], '/out')).toThrow(/--duration/);
    expect(() => parseLoadOptions(['--duration', '99999'], '/out')).toThrow(/--duration/);
    expect(() => parseLoadOptions(['--clients', 'many'], '/out')).toThrow(/--clients/);
    expect(() => parseLoadOptions(['--duration', '20', '--warmup', '20'], '/out')).toThrow(
      /--warmup/,
    );
    expect(() => parseLoadOptions(['--backends', 'mysql'], '/out')).toThrow(/unknown backend/);
    expect(() => parseLoadOptions(['--frobnicate'], '/out')).toThrow();
  });
});

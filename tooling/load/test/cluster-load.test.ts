import { describe, expect, it } from 'vitest';
import { describeClusterLoad, runClusterLoad } from '../src/cluster-load.js';

// The short multi-worker run: three agent processes on one private Redis, 32 clients for 15 s,
// every scenario crossing workers. The few-minutes run is `pnpm --filter @a2a-stores/load
// load:cluster` (see the README).
describe('multi-worker load (short)', () => {
  it('leaves no task unfinished and delivers no webhook event twice', async () => {
    const result = await runClusterLoad(
      'redis',
      { durationSec: 15, clients: 32, workers: 3, stepMs: 20, leaseMs: 15_000, sweepMs: 5000 },
      () => {},
    );
    console.info(describeClusterLoad(result));
    expect(result.failureSamples).toEqual({});
    expect(result.nonTerminal).toBe(0);
    expect(result.webhooks.duplicates).toBe(0);
    expect(result.webhooks.missingFinal).toBe(0);
    expect(result.webhooks.deliveries).toBeGreaterThan(0);
    for (const [operation, { ok }] of Object.entries(result.operations)) {
      expect(ok, operation).toBeGreaterThan(0);
    }
    expect(result.passed).toBe(true);
  }, 120_000);
});

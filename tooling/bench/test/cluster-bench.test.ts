import { existsSync } from 'node:fs';
import { createMemoryCoordination } from '@a2a-stores/core';
import { describe, expect, it } from 'vitest';
import { measureClusterLatency } from '../src/cluster/cluster-latency.js';
import { countingBackend, zeroCounts } from '../src/cluster/counting-backend.js';
import { measureLeaseTraffic } from '../src/cluster/lease-traffic.js';
import { parseClusterBenchOptions } from '../src/cluster/options.js';
import { openTransport } from '../src/cluster/transports.js';

describe('countingBackend', () => {
  it('counts each call that reaches the backend and passes results through', async () => {
    const hub = createMemoryCoordination();
    const counts = zeroCounts();
    const backend = countingBackend(hub.connect(), counts);
    expect(typeof backend.onChannelState).toBe('function');
    const lease = { scope: { tenant: 't', owner: 'o' }, taskId: 'x', key: 'k', holder: 'h' };
    const acquired = await backend.acquireLease({ ...lease, token: 'tok' }, 10_000);
    expect(acquired.acquired).toBe(true);
    expect(await backend.renewLease('k', 'h', 'tok', 10_000)).toBe(true);
    expect(await backend.renewLease('k', 'h', 'wrong', 10_000)).toBe(false);
    expect((await backend.readLease('k'))?.holder).toBe('h');
    let deliver: (message: string) => void = () => undefined;
    const delivered = new Promise<string>((resolve) => {
      deliver = resolve;
    });
    const unsubscribe = await backend.subscribe('c', (message) => deliver(message));
    await backend.publish('c', 'one');
    expect(await delivered).toBe('one');
    await backend.releaseLease('k', 'h', 'tok');
    await unsubscribe();
    await backend.close();
    expect(counts).toEqual({
      acquireLease: 1,
      renewLease: 2,
      releaseLease: 1,
      readLease: 1,
      claimExpiredLeases: 0,
      publish: 1,
      subscribe: 1,
    });
  });
});

describe('lease traffic', () => {
  it('one task: one acquire, one release, events + 3 publishes, no renewal inside a period', async () => {
    const hub = createMemoryCoordination();
    // A 30 s ttl renews every 10 s: a 100 ms task makes none.
    const result = await measureLeaseTraffic(async () => hub.connect(), 4, 100, 30_000);
    expect(result.perTask).toEqual({
      acquireLease: 1,
      renewLease: 0,
      releaseLease: 1,
      readLease: 0,
      claimExpiredLeases: 0,
      // The task snapshot, 4 updates, the CANCELED update and the end-of-run marker.
      publish: 7,
      subscribe: 0,
    });
  });
});

describe('transports', () => {
  it('runs the latency paths over a SQLite file and removes the file after', async () => {
    const transport = await openTransport('sqlite');
    expect(existsSync(transport.location)).toBe(true);
    const result = await measureClusterLatency('sqlite', () => transport.connect(), 1, 2);
    expect(result.crossWorkerEvent.samples).toBe(2);
    expect(result.localEvent.samples).toBe(2);
    expect(result.crossWorkerCancel.samples).toBe(1);
    await transport.cleanup();
    expect(existsSync(transport.location)).toBe(false);
  });

  it('parses the transport list and rejects unknown names', () => {
    expect(parseClusterBenchOptions(['--', '--transports', 'redis,sqlite']).transports).toEqual([
      'redis',
      'sqlite',
    ]);
    expect(parseClusterBenchOptions([]).tasks).toBe(30);
    expect(() => parseClusterBenchOptions(['--transports', 'kafka'])).toThrow(/unknown transport/);
    expect(() => parseClusterBenchOptions(['--tasks', '0'])).toThrow(/tasks/);
  });
});

import { TelemetryCapture } from '@a2a-stores/otel-testing';
import { afterAll, describe, expect, it } from 'vitest';
import { serverOf, serverOfUrl, tracedCall } from '../src/index.js';

const capture = new TelemetryCapture();
afterAll(() => capture.shutdown());

describe('server attributes', () => {
  it('take the host and port of a URL, never its user, password, path or query', () => {
    const attributes = serverOfUrl('postgres://app:s3cret-pw@db.internal:6543/app?sslkey=/k', 5432);
    expect(attributes).toEqual({ serverAddress: 'db.internal', serverPort: 6543 });
    expect(serverOfUrl('redis://:pw@[::1]/0', 6379)).toEqual({
      serverAddress: '::1',
      serverPort: 6379,
    });
    expect(serverOfUrl('not a url', 5432)).toEqual({});
    expect(serverOfUrl(undefined)).toEqual({});
  });

  it('leave out empty hosts and invalid ports', () => {
    expect(serverOf('', 5432)).toEqual({ serverPort: 5432 });
    expect(serverOf(undefined, 'x', 3306)).toEqual({});
    expect(serverOf('h', '3307')).toEqual({ serverAddress: 'h', serverPort: 3307 });
  });
});

describe('the leak check', () => {
  it('fails when an attribute carries a probe value (so the adapters’ checks can fail)', async () => {
    await tracedCall('op', { 'x.tenant': 'tenant-leaked-1' }, async () => {});
    await expect(capture.assertNoLeak(['tenant-leaked-1'])).rejects.toThrow(/tenant-leaked-1/);
  });
});

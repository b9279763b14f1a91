import { TelemetryCapture } from '@a2a-stores/otel-testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MemoryReplayCache,
  signPassport,
  staticKeyResolver,
  verifyPassport,
} from '../src/index.js';
import { makeKey } from './helpers.js';

const capture = new TelemetryCapture();
afterAll(() => capture.shutdown());

const CLIENT = 'a2a://otel-client.example';
const AUDIENCE = 'https://agent.example/a2a';
const metric = 'a2a_stores.passport.verifications';

describe('passport verification telemetry (real SDK)', () => {
  it('counts verifications by status and failure reason, without client, state or key', async () => {
    const key = await makeKey('ES256');
    const state = { user_secret_marker: 'state-value-secret-42' };
    const options = {
      keys: staticKeyResolver({ [CLIENT]: { keys: [key.publicJwk] } }),
      audience: AUDIENCE,
      replayCache: new MemoryReplayCache(),
    };
    const signed = await signPassport(
      { clientId: CLIENT, sessionId: 'session-secret-7', state },
      { privateKey: key.privateKey, kid: key.kid, alg: key.alg, audience: AUDIENCE },
    );
    const verified = { 'a2a_stores.passport.status': 'verified' };
    const replayed = {
      'a2a_stores.passport.status': 'failed',
      'a2a_stores.passport.failure_reason': 'replayed',
    };
    const unsigned = { 'a2a_stores.passport.status': 'unsigned' };
    const before = [
      await capture.total(metric, verified),
      await capture.total(metric, replayed),
      await capture.total(metric, unsigned),
    ];
    expect((await verifyPassport(signed, options)).status).toBe('verified');
    expect((await verifyPassport(signed, options)).status).toBe('failed');
    expect((await verifyPassport({ clientId: CLIENT, state }, options)).status).toBe('unsigned');
    expect(await capture.total(metric, verified)).toBe(before[0]! + 1);
    expect(await capture.total(metric, replayed)).toBe(before[1]! + 1);
    expect(await capture.total(metric, unsigned)).toBe(before[2]! + 1);
    expect(capture.spans().filter((s) => s.name === 'passport verify')).toHaveLength(3);
    await capture.assertNoLeak([
      CLIENT,
      'state-value-secret-42',
      'session-secret-7',
      key.kid,
      signed.signature ?? 'missing-signature',
    ]);
  });
});

import { callContext, makePushConfig, makeTask, randomScope } from '@a2a-stores/core/conformance';
import { checkStoreTelemetry, TelemetryCapture } from '@a2a-stores/otel-testing';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { afterAll, describe, it } from 'vitest';
import { postgresRawProbe } from '../src/testing/index.js';
import { dropSchema, randomSchema, storesOn, testPool } from './support.js';

const capture = new TelemetryCapture();
const pool = await testPool(2);
const schema = randomSchema('otel');
afterAll(async () => {
  await dropSchema(pool, schema);
  await pool.end();
  await capture.shutdown();
});

describe('postgres: OpenTelemetry spans and metrics (real SDK)', () => {
  it('every store call is a client span with postgresql attributes; nothing private leaks', async () => {
    const url = new URL((await resolveTestBackend('postgres')).url);
    const stores = storesOn(pool, { schema, tablePrefix: 'otel_' });
    await stores.migrate();
    const secrets = [url.href];
    if (url.password) secrets.push(url.password);
    await checkStoreTelemetry(
      capture,
      stores,
      { randomScope, callContext, makeTask, makePushConfig },
      {
        system: 'postgresql',
        taskCollection: `${schema}.otel_tasks`,
        pushCollection: `${schema}.otel_push_configs`,
        serverAddress: url.hostname,
        serverPort: url.port ? Number(url.port) : 5432,
      },
      secrets,
      postgresRawProbe(pool, { schema, tablePrefix: 'otel_' }),
    );
  });
});

import {
  callContext,
  makePushConfig,
  makeTask,
  randomScope,
  silentLogger,
} from '@a2a-stores/core/conformance';
import { checkStoreTelemetry, TelemetryCapture } from '@a2a-stores/otel-testing';
import { resolveTestBackend } from '@a2a-stores/test-backends';
import { createPool } from 'mysql2/promise';
import { afterAll, describe, it } from 'vitest';
import { createMysqlStores } from '../src/index.js';
import { mysqlRawProbe } from '../src/testing/index.js';
import { dropTables, randomPrefix } from './support/mysql-harness.js';

const capture = new TelemetryCapture();
const url = new URL((await resolveTestBackend('mysql')).url);
const pool = createPool({ uri: url.href, connectionLimit: 2 });
const prefix = randomPrefix();
afterAll(async () => {
  await dropTables(pool, prefix);
  await pool.end();
  await capture.shutdown();
});

describe('mysql: OpenTelemetry spans and metrics (real SDK)', () => {
  it('every store call is a client span with mysql attributes; nothing private leaks', async () => {
    const stores = createMysqlStores(
      { pool },
      { tablePrefix: prefix, logger: silentLogger(), pushUrlCheck: () => {} },
    );
    await stores.migrate();
    const secrets = [url.href];
    if (url.password) secrets.push(url.password);
    await checkStoreTelemetry(
      capture,
      stores,
      { randomScope, callContext, makeTask, makePushConfig },
      {
        system: 'mysql',
        taskCollection: `${prefix}tasks`,
        pushCollection: `${prefix}push_configs`,
        serverAddress: url.hostname,
        serverPort: url.port ? Number(url.port) : 3306,
      },
      secrets,
      mysqlRawProbe(pool, { tablePrefix: prefix }),
    );
  });
});

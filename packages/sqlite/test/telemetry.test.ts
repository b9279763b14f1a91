import { join } from 'node:path';
import {
  callContext,
  makePushConfig,
  makeTask,
  randomScope,
  silentLogger,
} from '@a2a-stores/core/conformance';
import { checkStoreTelemetry, TelemetryCapture } from '@a2a-stores/otel-testing';
import Database from 'better-sqlite3';
import { afterAll, describe, it } from 'vitest';
import { createSqliteStores } from '../src/index.js';
import { sqliteRawProbe } from '../src/testing/index.js';
import { makeTempDir } from './helpers.js';

const capture = new TelemetryCapture();
afterAll(() => capture.shutdown());

describe('sqlite: OpenTelemetry spans and metrics (real SDK)', () => {
  it('every store call is a client span with sqlite attributes; nothing private leaks', async () => {
    const { dir, cleanup } = makeTempDir();
    // A directory name that must not reach telemetry either.
    const filename = join(dir, 'private-file-name.db');
    const stores = createSqliteStores(
      { filename },
      { tablePrefix: 'otel_', logger: silentLogger(), pushUrlCheck: () => {} },
    );
    const probeDb = new Database(filename);
    try {
      await stores.migrate();
      await checkStoreTelemetry(
        capture,
        stores,
        { randomScope, callContext, makeTask, makePushConfig },
        { system: 'sqlite', taskCollection: 'otel_tasks', pushCollection: 'otel_push_configs' },
        ['private-file-name', dir],
        sqliteRawProbe(probeDb, { tablePrefix: 'otel_' }),
      );
    } finally {
      probeDb.close();
      await stores.close();
      cleanup();
    }
  });
});

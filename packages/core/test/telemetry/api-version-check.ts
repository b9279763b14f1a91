import { readFileSync } from 'node:fs';
import {
  checkStoreTelemetry,
  type RegistrationApi,
  TelemetryCapture,
} from '@a2a-stores/otel-testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  callContext,
  conformancePushUrlCheck,
  makePushConfig,
  makeTask,
  randomScope,
  silentLogger,
} from '../../src/conformance/index.js';
import { createMemoryStores, type OpenTelemetryApi, useOpenTelemetryApi } from '../../src/index.js';

/**
 * One end of the `@opentelemetry/api` peer range (^1.3.0), installed as an npm alias and handed
 * to core through its registration seam. In production core resolves the application's copy;
 * these are the two ends of what that copy may be. One version per test file: the API refuses
 * a registration by another version in the same process, even after `disable()`.
 */
export function describeApiVersion(alias: string, version: string, api: unknown): void {
  afterEach(() => useOpenTelemetryApi(undefined));

  describe(`@opentelemetry/api ${version} (${alias})`, () => {
    it('is the version under test', () => {
      const manifest = new URL(`../../node_modules/${alias}/package.json`, import.meta.url);
      expect(JSON.parse(readFileSync(manifest, 'utf8')).version).toBe(version);
    });

    it('spans, duration points and counters reach an SDK registered through it', async () => {
      useOpenTelemetryApi(api as OpenTelemetryApi);
      const capture = new TelemetryCapture(api as RegistrationApi);
      try {
        const stores = createMemoryStores({
          logger: silentLogger(),
          pushUrlCheck: conformancePushUrlCheck(),
        });
        await checkStoreTelemetry(
          capture,
          stores,
          { randomScope, callContext, makeTask, makePushConfig },
          { system: 'memory', taskCollection: 'tasks', pushCollection: 'push_configs' },
        );
      } finally {
        await capture.shutdown();
      }
    });

    it('without the API (null seam) stores work and emit nothing', async () => {
      useOpenTelemetryApi(null);
      const capture = new TelemetryCapture(api as RegistrationApi);
      try {
        const { taskStore } = createMemoryStores({ logger: silentLogger() });
        const ctx = callContext(randomScope());
        const task = makeTask();
        await taskStore.save(task, ctx);
        expect((await taskStore.load(task.id, ctx))?.id).toBe(task.id);
        expect(capture.spans()).toEqual([]);
        expect(await capture.points()).toEqual([]);
      } finally {
        await capture.shutdown();
      }
    });
  });
}

import type { CoordinationBackend } from '@a2a-stores/core';
import { afterAll, afterEach } from 'vitest';
import type { CoordinationHarness } from './harness.js';

/** Backends opened by one test, closed after it; the harness destroyed after the group. */
export function useCoordination(harness: CoordinationHarness, destroy = true) {
  const opened: CoordinationBackend[] = [];
  afterEach(async () => {
    const closing = opened.splice(0);
    await Promise.all(closing.map((backend) => backend.close()));
  });
  if (destroy) {
    afterAll(async () => {
      await harness.destroy?.();
    });
  }
  return {
    async open(): Promise<CoordinationBackend> {
      const backend = await harness.create();
      opened.push(backend);
      return backend;
    },
  };
}

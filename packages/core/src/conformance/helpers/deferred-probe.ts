import type { RawProbe } from '../harness.js';

/**
 * A raw probe whose connection does not exist yet when the suite is registered.
 * `runStoreConformance` reads `harness.probe` while it declares the tests, before any `beforeAll`
 * has opened a client or started a server; this probe has all four methods then, and calls
 * `load()` each time one of them runs, so it always works on the connection of that moment.
 * A method the loaded probe lacks throws when called.
 *
 * @example
 * ```ts
 * import { deferredProbe, type RawProbe } from '@a2a-stores/core/conformance';
 * declare function openProbe(): Promise<RawProbe>; // e.g. an adapter's `/testing` factory
 * let ready: Promise<RawProbe> | undefined;
 * const probe = deferredProbe(() => (ready ??= openProbe()));
 * ```
 */
export function deferredProbe(load: () => RawProbe | Promise<RawProbe>): RawProbe {
  async function method<Name extends keyof RawProbe>(
    name: Name,
  ): Promise<NonNullable<RawProbe[Name]>> {
    const probe = await load();
    const found = probe[name];
    if (typeof found !== 'function') throw new Error(`the loaded probe has no ${name}()`);
    return found.bind(probe) as NonNullable<RawProbe[Name]>;
  }
  return {
    corruptTask: async (scope, taskId) => (await method('corruptTask'))(scope, taskId),
    corruptPushConfig: async (scope, taskId, configId) =>
      (await method('corruptPushConfig'))(scope, taskId, configId),
    readTaskRaw: async (scope, taskId) => (await method('readTaskRaw'))(scope, taskId),
    readPushConfigsRaw: async (scope, taskId) =>
      (await method('readPushConfigsRaw'))(scope, taskId),
  };
}

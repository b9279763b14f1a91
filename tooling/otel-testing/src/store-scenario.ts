import type { TelemetryCapture } from './capture.js';

/* Structural types, so this tooling package needs no build of core (which depends on it). */
type Ctx = unknown;
interface TaskLike {
  id: string;
  status?: object;
}
interface Stores {
  taskStore: {
    save(task: never, ctx: Ctx): Promise<void>;
    load(id: string, ctx: Ctx): Promise<unknown>;
    loadVersioned(id: string, ctx: Ctx): Promise<unknown>;
    saveIfVersion(task: never, ctx: Ctx, version: number | null): Promise<number>;
    list(params: never, ctx: Ctx): Promise<unknown>;
    delete(id: string, ctx: Ctx): Promise<boolean>;
  };
  pushNotificationStore: {
    save(taskId: string, ctx: Ctx, config: never): Promise<void>;
    load(taskId: string, ctx: Ctx): Promise<unknown>;
    delete(taskId: string, ctx: Ctx, configId?: string): Promise<void>;
  };
}
/** Helpers from `@a2a-stores/core/conformance`, passed in by the test. */
export interface ScenarioHelpers {
  randomScope(): { tenant: string; owner: string };
  callContext(scope: { tenant: string; owner: string }): Ctx;
  makeTask(spec: { state?: number; metadata?: Record<string, unknown> }): TaskLike;
  makePushConfig(taskId: string, spec: { token?: string }): { id?: string };
}
/** The adapter's raw probe (`@a2a-stores/<adapter>/testing`), to plant an undecodable row. */
export interface CorruptingProbe {
  corruptTask(scope: { tenant: string; owner: string }, taskId: string): Promise<void>;
}

/** The attributes every span and duration point of the adapter must carry. */
export interface ExpectedStoreAttributes {
  readonly system: string;
  readonly taskCollection: string;
  readonly pushCollection: string;
  readonly serverAddress?: string;
  readonly serverPort?: number;
}

const COMPLETED = 3;
const WORKING = 2;
const TASK_OPS = ['save', 'load', 'load_versioned', 'save_if_version', 'list', 'delete'];
const PUSH_OPS = ['save', 'load', 'delete'];

function fail(message: string): never {
  throw new Error(message);
}

/**
 * Runs each store operation once (one version conflict and one dropped stale write among them)
 * under a caller's span, then checks the spans, the duration histogram, the counters and that no
 * attribute carries the tenant, owner, task text, token or `extraSecrets`.
 */
export async function checkStoreTelemetry(
  capture: TelemetryCapture,
  stores: Stores,
  helpers: ScenarioHelpers,
  expected: ExpectedStoreAttributes,
  extraSecrets: readonly string[] = [],
  probe?: CorruptingProbe,
): Promise<void> {
  const scope = helpers.randomScope();
  const ctx = helpers.callContext(scope);
  const secretText = `confidential-${crypto.randomUUID()}`;
  const secretToken = `token-${crypto.randomUUID()}`;
  const task = helpers.makeTask({ metadata: { note: secretText } });
  const conflictsBefore = await capture.total('a2a_stores.task.version_conflicts', {
    'db.system.name': expected.system,
  });
  const staleBefore = await capture.total('a2a_stores.task.stale_writes', {
    'db.system.name': expected.system,
    'a2a_stores.stale_write.action': 'dropped',
  });
  capture.reset();

  const parentSpanId = await capture.asCaller(() => stores.taskStore.save(task as never, ctx));
  await stores.taskStore.load(task.id, ctx);
  await stores.taskStore.loadVersioned(task.id, ctx);
  const conflict = await stores.taskStore.saveIfVersion(task as never, ctx, 99).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(conflict instanceof Error) || conflict.constructor.name !== 'VersionConflictError') {
    fail(`saveIfVersion with a wrong version should conflict, got ${String(conflict)}`);
  }
  await stores.taskStore.list({} as never, ctx);
  const config = helpers.makePushConfig(task.id, { token: secretToken });
  await stores.pushNotificationStore.save(task.id, ctx, config as never);
  await stores.pushNotificationStore.load(task.id, ctx);
  await stores.pushNotificationStore.delete(task.id, ctx, config.id);
  const done = { ...task, status: { ...task.status, state: COMPLETED } };
  await stores.taskStore.save(done as never, ctx);
  await stores.taskStore.save(
    { ...task, status: { ...task.status, state: WORKING } } as never,
    ctx,
  );
  const corruptBefore = await capture.total('a2a_stores.records.corrupt', {
    'db.system.name': expected.system,
    'a2a_stores.record.kind': 'task',
  });
  if (probe) {
    await probe.corruptTask(scope, task.id);
    const refused = await stores.taskStore.load(task.id, ctx).then(
      () => undefined,
      (error: unknown) => error,
    );
    if (!(refused instanceof Error) || refused.constructor.name !== 'CorruptRecordError') {
      fail(`load of a corrupt row should throw CorruptRecordError, got ${String(refused)}`);
    }
  }
  await stores.taskStore.delete(task.id, ctx);

  const spans = capture.spans();
  const base: Record<string, unknown> = { 'db.system.name': expected.system };
  if (expected.serverAddress !== undefined) base['server.address'] = expected.serverAddress;
  if (expected.serverPort !== undefined) base['server.port'] = expected.serverPort;
  const check = (collection: string, operation: string) => {
    const name = `${operation} ${collection}`;
    const span = spans.find((s) => s.name === name) ?? fail(`no span "${name}"`);
    if (span.kind !== 2) fail(`span "${name}" is not CLIENT`);
    const want = { ...base, 'db.collection.name': collection, 'db.operation.name': operation };
    for (const [key, value] of Object.entries(want)) {
      if (span.attributes[key] !== value) {
        fail(`span "${name}": ${key} = ${String(span.attributes[key])}, want ${String(value)}`);
      }
    }
    return span;
  };
  for (const op of TASK_OPS) check(expected.taskCollection, op);
  for (const op of PUSH_OPS) check(expected.pushCollection, op);
  const firstSave = check(expected.taskCollection, 'save');
  if (firstSave.parentSpanContext?.spanId !== parentSpanId) {
    fail('the store span did not join the caller span');
  }
  const conflictSpan = check(expected.taskCollection, 'save_if_version');
  if (conflictSpan.attributes['error.type'] !== 'VersionConflictError') {
    fail(`error.type = ${String(conflictSpan.attributes['error.type'])}`);
  }
  if (conflictSpan.status.code !== 2) fail('a failed call must set status ERROR');
  if (check(expected.taskCollection, 'load').attributes['error.type'] !== undefined) {
    fail('a successful call carries error.type');
  }

  const points = await capture.points();
  const durations = points.filter(
    (p) =>
      p.name === 'db.client.operation.duration' &&
      p.attributes['db.system.name'] === expected.system,
  );
  for (const op of TASK_OPS) {
    const point =
      durations.find(
        (p) =>
          p.attributes['db.operation.name'] === op &&
          p.attributes['db.collection.name'] === expected.taskCollection,
      ) ?? fail(`no duration point for ${op}`);
    if (!point.histogram || point.unit !== 's' || point.value < 1) fail(`bad point for ${op}`);
  }
  const system = { 'db.system.name': expected.system };
  const conflicts = await capture.total('a2a_stores.task.version_conflicts', system);
  if (conflicts - conflictsBefore !== 1)
    fail(`version_conflicts grew by ${conflicts - conflictsBefore}`);
  const stale = await capture.total('a2a_stores.task.stale_writes', {
    ...system,
    'a2a_stores.stale_write.action': 'dropped',
  });
  if (stale - staleBefore !== 1) fail(`stale_writes grew by ${stale - staleBefore}`);

  if (probe) {
    const corrupt = await capture.total('a2a_stores.records.corrupt', {
      ...system,
      'a2a_stores.record.kind': 'task',
    });
    if (corrupt - corruptBefore !== 1) fail(`records.corrupt grew by ${corrupt - corruptBefore}`);
  }

  await capture.assertNoLeak([scope.tenant, scope.owner, secretText, secretToken, ...extraSecrets]);
}

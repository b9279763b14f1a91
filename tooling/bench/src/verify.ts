import { Task, type TaskPushNotificationConfig } from '@a2a-js/sdk';

/** A subject returned something other than what was saved: the run stops, naming it. */
export class BenchCheckError extends Error {
  constructor(subject: string, what: string) {
    super(`${subject}: ${what}`);
    this.name = 'BenchCheckError';
  }
}

/** The wire JSON of a task: two tasks are the same when these strings are equal. */
export function canonicalTask(task: Task): string {
  return JSON.stringify(Task.toJSON(task));
}

/** Throws unless `loaded` is exactly the task whose canonical form is `expected`. */
export function checkLoaded(
  subject: string,
  taskId: string,
  loaded: Task | undefined,
  expected: string,
): void {
  if (loaded === undefined) throw new BenchCheckError(subject, `load(${taskId}) found nothing`);
  if (canonicalTask(loaded) !== expected) {
    throw new BenchCheckError(subject, `load(${taskId}) returned a different task than was saved`);
  }
}

/** Throws unless a load that must find nothing (missing id, another scope) found nothing. */
export function checkAbsent(subject: string, taskId: string, loaded: Task | undefined): void {
  if (loaded !== undefined) {
    throw new BenchCheckError(subject, `load(${taskId}) returned a task it must not see`);
  }
}

/** Throws unless a page holds exactly `expectedIds`, in that order. */
export function checkPage(
  subject: string,
  label: string,
  tasks: readonly Task[],
  expectedIds: readonly string[],
): void {
  const ids = tasks.map((task) => task.id);
  if (ids.length !== expectedIds.length || ids.some((id, i) => id !== expectedIds[i])) {
    throw new BenchCheckError(
      subject,
      `${label}: got ${ids.length} ids starting ${ids[0] ?? '-'}, expected ${expectedIds.length} starting ${expectedIds[0] ?? '-'}`,
    );
  }
}

/**
 * Throws unless `loaded` is exactly the one config saved as `expected`: id, URL and the secrets
 * (token, authentication), which a sealing wrapper must hand back opened.
 */
export function checkPushConfigs(
  subject: string,
  taskId: string,
  loaded: readonly TaskPushNotificationConfig[],
  expected: TaskPushNotificationConfig,
): void {
  const config = loaded[0];
  const same =
    loaded.length === 1 &&
    config !== undefined &&
    config.id === expected.id &&
    config.url === expected.url &&
    config.token === expected.token &&
    config.authentication?.scheme === expected.authentication?.scheme &&
    config.authentication?.credentials === expected.authentication?.credentials;
  if (!same) {
    throw new BenchCheckError(subject, `push load(${taskId}) did not return the config it saved`);
  }
}

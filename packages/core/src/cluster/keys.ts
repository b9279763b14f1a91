import { createHash } from 'node:crypto';
import type { Scope } from '../scope.js';

/**
 * The lease key of a task: sha256 (base64url) of an unambiguous encoding of tenant, owner and
 * task id. Keys and channel names travel through shared infrastructure (Redis keys, NOTIFY
 * channels, logs), so no tenant or owner appears in clear; the JSON array encoding keeps
 * `('a|b', 'c')` and `('a', 'b|c')` apart.
 */
export function leaseKey(scope: Scope, taskId: string): string {
  return createHash('sha256')
    .update(JSON.stringify([scope.tenant, scope.owner, taskId]))
    .digest('base64url');
}

/** The channel carrying the events of the executions of one task. */
export function taskChannel(key: string): string {
  return `task.${key}`;
}

/** The channel carrying commands (cancel) and replies to one worker. */
export function workerChannel(workerId: string): string {
  return `worker.${workerId}`;
}

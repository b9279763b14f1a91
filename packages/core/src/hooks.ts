import type { Scope } from './scope.js';

/** Minimal logger; a2a-stores never passes message content, secrets, tenant or owner names. */
export interface StoreLogger {
  warn(message: string, details?: Record<string, unknown>): void;
}

/** What `list` skipped, or `load` refused, because a stored record could not be decoded. */
export interface CorruptRecordEvent {
  readonly kind: 'task' | 'push-config';
  readonly scope: Scope;
  readonly recordId: string;
  readonly error: Error;
}

/** A `save` that would have moved a terminal task to another state, dropped by the guard. */
export interface StaleWriteEvent {
  readonly scope: Scope;
  readonly taskId: string;
  readonly storedState: number;
  readonly attemptedState: number;
}

/**
 * Observation points. Hooks run synchronously on the calling path; an exception thrown by a hook
 * is swallowed so that monitoring can never break storage.
 */
export interface StoreHooks {
  onCorruptRecord?(event: CorruptRecordEvent): void;
  onStaleWrite?(event: StaleWriteEvent): void;
}

/** Calls a hook, isolating the store from the hook's failures. */
export function fireHook<E>(hook: ((event: E) => void) | undefined, event: E): void {
  if (!hook) return;
  try {
    hook(event);
  } catch {
    // A broken observer must not turn a successful storage call into a failure.
  }
}

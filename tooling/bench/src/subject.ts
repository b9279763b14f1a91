import type { Task } from '@a2a-js/sdk';
import type { PushNotificationStore, ServerCallContext, TaskStore } from '@a2a-js/sdk/server';

/**
 * What a subject is, relative to the others on its backend. A `guarded-floor` is the raw floor
 * plus, in raw SQL, the write guarantees the adapter gives: it prices them, it is not a target.
 */
export type SubjectRole =
  | 'adapter'
  | 'floor'
  | 'guarded-floor'
  | 'sdk'
  | 'memory'
  | 'wrapper'
  | 'variant';

/** For a wrapper subject: the subject it wraps (same backend, same run) and how it is set up. */
export interface WrapperInfo {
  /** Name of the inner subject its cost is divided by. */
  readonly inner: string;
  /** Whether the data-key cache is on (hits on reads and on rewrites of a record). */
  readonly cache: boolean;
  /**
   * The least work any encrypting wrapper does (one AES-GCM seal or open per record): it prices
   * the cryptography, it is not a target. Missed wrapper targets quote its cost.
   */
  readonly floor?: boolean;
}

/**
 * One store under measurement. Every subject speaks the SDK's `TaskStore` interface, so the
 * workloads and their checks are the same code for all of them.
 */
export interface Subject {
  readonly name: string;
  readonly role: SubjectRole;
  readonly taskStore: TaskStore;
  /** Measured by the push workloads when present. */
  readonly pushStore?: PushNotificationStore;
  /** What this subject's `list` does beyond returning the page (shown in the report). */
  readonly notes?: string;
  /** Set on wrappers: their cost is reported relative to `inner`. */
  readonly wraps?: WrapperInfo;
  /**
   * Set on variants: the adapter of the same run with one option changed (e.g. the PostgreSQL
   * pooler mode), reported as a cost relative to that subject. Not a target.
   */
  readonly variantOf?: string;
  /**
   * Saves `tasks` through this subject's own `save` (its codec, statements and checks, one call
   * per task) inside one transaction of its database, so the batch costs one durable commit.
   * Only the scaling run's seeding uses it: one fsync per task would spend its whole time budget
   * on seeding what it only reads. Absent: the seeding makes concurrent plain saves.
   */
  seedBatch?(tasks: readonly Task[], context: ServerCallContext): Promise<void>;
  close(): Promise<void>;
}

import type { Subject } from '../subject.js';

/** What a backend's set-up hands the runner. */
export interface BackendSubjects {
  readonly subjects: Subject[];
  /** Durability and pool settings, as read from the server where it can be asked. */
  readonly settings: string;
  /** What could not be measured on this backend, and why (shown in the report). */
  readonly notes?: readonly string[];
  /** Run after every subject is closed: removes what the set-up created on the server. */
  readonly cleanup?: () => Promise<void>;
}

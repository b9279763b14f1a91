import type { ClusterCount } from './instrumented-backend.js';
import type { ResolvedClusterOptions } from './options.js';
import type { MutableStats } from './stats.js';

/** What the parts of one cluster worker share. */
export interface ClusterRuntime {
  readonly options: ResolvedClusterOptions;
  readonly stats: MutableStats;
  /** False while the backend reports its push channel down. */
  channelUp: boolean;
  /** Adds to a cluster counter with the backend's `db.system.name`; no-op without an SDK. */
  readonly count: ClusterCount;
}

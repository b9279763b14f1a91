import { defineClusterE2e } from './support/cluster-e2e.js';
import { CLUSTER_STORES } from './support/cluster-stores.js';

// Three agent processes on one fresh store per backend, as one cluster: cross-worker cancel,
// subscribe, crash recovery (fail and resume), scope and push-once. Each backend's run fails
// (never skips) when its server or adapter is missing.
for (const kind of CLUSTER_STORES) defineClusterE2e(kind);

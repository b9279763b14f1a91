import { defineClusterE2e } from './support/cluster-e2e.js';
import { POLLING_CLUSTER_STORES } from './support/cluster-stores.js';

// The same three-worker run on the polling transports: a SQLite file several processes share,
// and MariaDB/MySQL. A separate file so each group of backends stays under a minute.
for (const kind of POLLING_CLUSTER_STORES) defineClusterE2e(kind);

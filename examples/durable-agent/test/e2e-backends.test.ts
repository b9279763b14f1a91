import { resolveTestBackend } from '@a2a-stores/test-backends';
import { defineAgentE2e } from './support/agent-e2e.js';

// The same end-to-end run with A2A_STORE_URL pointing at each server database. Until an adapter
// package is built, its run fails (never skips) with a message saying so.
for (const kind of ['postgres', 'mysql', 'redis'] as const) {
  defineAgentE2e({
    name: kind,
    packageName: `@a2a-stores/${kind}`,
    storeUrl: async () => (await resolveTestBackend(kind)).url,
  });
}

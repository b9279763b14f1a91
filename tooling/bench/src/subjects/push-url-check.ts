import { createPushUrlPolicy, type PushUrlCheck } from '@a2a-stores/core';

/** The host of every webhook URL the bench registers. */
export const BENCH_PUSH_HOST = 'push.bench.example';

/**
 * Core's strict URL policy, with a resolver that answers the bench's webhook host with a public
 * address: the policy's cost stays in the measurement, the machine's DNS does not.
 */
export function benchPushUrlCheck(): PushUrlCheck {
  return createPushUrlPolicy({
    resolver: async (hostname) => (hostname === BENCH_PUSH_HOST ? ['93.184.215.14'] : []),
  });
}

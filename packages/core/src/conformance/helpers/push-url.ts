import { createPushUrlPolicy, type PushUrlCheck } from '@a2a-stores/core';

/** The host of every webhook URL the suite registers (see {@link pushUrl}). */
export const CONFORMANCE_PUSH_HOST = 'push.example.com';

/** Public addresses the suite's resolver answers for {@link CONFORMANCE_PUSH_HOST}. */
const CONFORMANCE_PUSH_ADDRESSES = ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'];

/**
 * The push URL check the suite passes to `harness.create` unless a test gives its own: core's
 * strict policy, with a resolver that answers the suite's webhook host with a public address
 * and nothing else, so no test depends on the machine's DNS (CI often has none).
 */
export function conformancePushUrlCheck(): PushUrlCheck {
  return createPushUrlPolicy({
    resolver: async (hostname) =>
      hostname === CONFORMANCE_PUSH_HOST ? CONFORMANCE_PUSH_ADDRESSES : [],
  });
}

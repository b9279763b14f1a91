import type { AgentCard } from '@a2a-js/sdk';
import { type AgentExecutor, DefaultRequestHandler } from '@a2a-js/sdk/server';
import {
  createMemoryStores,
  createPushUrlPolicy,
  GuardedPushNotificationSender,
} from '@a2a-stores/core';

// Development only: lets webhooks on this machine (http://localhost:3000/hook) through.
const development = process.env.NODE_ENV === 'development';

// One policy for both ends: checked when a client registers a webhook, again before each POST.
const pushUrlPolicy = createPushUrlPolicy({ allowInsecureLocalhost: development });

export function createRequestHandler(
  card: AgentCard,
  executor: AgentExecutor,
): DefaultRequestHandler {
  const { taskStore, pushNotificationStore } = createMemoryStores({ pushUrlCheck: pushUrlPolicy });
  const pushSender = new GuardedPushNotificationSender(pushNotificationStore, {
    policy: pushUrlPolicy,
    onDelivery: (event) => {
      if (event.outcome !== 'delivered') console.warn(`webhook ${event.origin}: ${event.reason}`);
    },
  });
  return new DefaultRequestHandler(
    card,
    taskStore,
    executor,
    undefined,
    pushNotificationStore,
    pushSender,
  );
}

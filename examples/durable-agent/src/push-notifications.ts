import type { PushNotificationStore } from '@a2a-js/sdk/server';
import {
  createPushUrlPolicy,
  GuardedPushNotificationSender,
  type PushDeliveryEvent,
  type PushUrlPolicy,
} from '@a2a-stores/core';
import type { AgentLogger } from './logger.js';

/**
 * The one push URL policy of the agent, shared by its push config store (checked when a client
 * registers a webhook) and its sender (checked again before every POST). Strict unless
 * `devMode`: https to public hosts only. In development mode loopback webhooks (`http:` or
 * `https:`) are accepted too, so a receiver on the developer's machine works; private,
 * link-local and metadata addresses stay refused either way.
 */
export function createAgentPushUrlPolicy(devMode: boolean): PushUrlPolicy {
  return createPushUrlPolicy({ allowInsecureLocalhost: devMode });
}

/**
 * The agent's push sender: core's guarded sender in place of the SDK's
 * `DefaultPushNotificationSender`, which would POST the task to any stored URL and follow
 * redirects. Every outcome is logged with task id, config id and the webhook's origin only:
 * never a token, a credential, the URL's path or query, a tenant or an owner.
 */
export function createAgentPushSender(
  pushNotificationStore: PushNotificationStore,
  policy: PushUrlPolicy,
  logger: AgentLogger,
): GuardedPushNotificationSender {
  return new GuardedPushNotificationSender(pushNotificationStore, {
    policy,
    logger,
    onDelivery: (event) => logPushDelivery(logger, event),
  });
}

/**
 * One log line per notification and config. Failures are also warned about by the sender
 * itself; this line carries the structured outcome at debug level so a healthy agent stays quiet.
 */
export function logPushDelivery(logger: AgentLogger, event: PushDeliveryEvent): void {
  const details: Record<string, unknown> = {
    taskId: event.taskId,
    configId: event.configId,
    origin: event.origin,
  };
  if (event.status !== undefined) details.status = event.status;
  if (event.reason !== undefined) details.reason = event.reason;
  logger.debug(`push notification ${event.outcome}`, details);
}

import { randomUUID } from 'node:crypto';
import type { SendMessageRequest } from '@a2a-js/sdk';
import {
  pushConfig,
  sendRequest as sendMessageRequest,
  userMessage,
} from '@a2a-stores/test-backends';

export { connectA2aClient as connect } from '@a2a-stores/test-backends';

/** The agent's two demo users; half the clients are each. */
export const USERS = ['alice:alice-secret', 'bob:bob-secret'] as const;

/** A send of a new user message in `tenant`, optionally returning at once or registering a webhook. */
export function sendRequest(
  tenant: string,
  text: string,
  options: { returnImmediately?: boolean; pushUrl?: string } = {},
): SendMessageRequest {
  return sendMessageRequest(tenant, userMessage(text), {
    returnImmediately: options.returnImmediately ?? false,
    pushConfig:
      options.pushUrl === undefined
        ? undefined
        : pushConfig(tenant, '', '', options.pushUrl, `token-${randomUUID()}`, false),
  });
}

import { randomUUID } from 'node:crypto';
import { type AgentCard, Role } from '@a2a-js/sdk';
import { ClientFactory, ClientFactoryOptions } from '@a2a-js/sdk/client';
import { type AgentExecutor, DefaultRequestHandler, type RequestContext } from '@a2a-js/sdk/server';
import { createMemoryStores } from '@a2a-stores/core';
import {
  getPassportVerification,
  PassportRequestHandler,
  passportAudiences,
  passportInterceptor,
  passportScopeResolver,
  staticKeyResolver,
  withPassportExtension,
} from '@a2a-stores/passport';
import type { CryptoKey, JWK } from 'jose';

// Called agent: declare the extension, verify every call, scope the stores by verified client id.
export function createCurrencyAgent(
  baseCard: AgentCard,
  executor: AgentExecutor,
  orchestratorKeys: JWK[],
): { card: AgentCard; handler: PassportRequestHandler } {
  const card = withPassportExtension(baseCard, { supportedStateKeys: ['user_preferred_currency'] });
  // Verified callers get their own scope; the others fall back to the authenticated user.
  const stores = createMemoryStores({
    scopeResolver: passportScopeResolver({ unsigned: 'fallback' }),
  });
  const handler = new PassportRequestHandler(
    new DefaultRequestHandler(
      card,
      stores.taskStore,
      executor,
      undefined,
      stores.pushNotificationStore,
    ),
    {
      keys: staticKeyResolver({ 'a2a://travel-orchestrator.com': { keys: orchestratorKeys } }),
      audience: passportAudiences(card),
    },
  );
  return { card, handler };
}

// In the executor: trust the state only when the passport verified.
export function preferredCurrency(requestContext: RequestContext): string {
  const passport = getPassportVerification(requestContext.context);
  const currency =
    passport?.status === 'verified' ? passport.state['user_preferred_currency'] : undefined;
  return typeof currency === 'string' ? currency : 'USD';
}

// Calling agent: every call through this client carries a freshly signed passport.
export async function askCurrencyAgent(agentUrl: string, privateKey: CryptoKey) {
  const passport = passportInterceptor({
    clientId: 'a2a://travel-orchestrator.com',
    state: { user_preferred_currency: 'GBP' },
    signing: { privateKey, kid: 'orchestrator-2025', alg: 'EdDSA' },
  });
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      clientConfig: { interceptors: [passport] },
    }),
  );
  const client = await factory.createFromUrl(agentUrl);
  return client.sendMessage({
    tenant: '',
    message: {
      messageId: randomUUID(),
      contextId: '',
      taskId: '',
      role: Role.ROLE_USER,
      parts: [
        {
          content: { $case: 'text', value: 'Convert 100 USD' },
          metadata: undefined,
          filename: '',
          mediaType: 'text/plain',
        },
      ],
      metadata: undefined,
      extensions: [],
      referenceTaskIds: [],
    },
    configuration: undefined,
    metadata: undefined,
  });
}

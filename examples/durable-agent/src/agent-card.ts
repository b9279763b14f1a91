import { A2A_PROTOCOL_VERSION, type AgentCard } from '@a2a-js/sdk';
import { withPassportExtension } from '@a2a-stores/passport';
import { withLegacyInterfaces } from './legacy-protocol.js';
import { PASSPORT_STATE_KEYS } from './passport.js';

/** Where the JSON-RPC transport is mounted. */
export const JSONRPC_PATH = '/a2a/jsonrpc';
/** Where the HTTP+JSON (REST) transport is mounted. */
export const REST_PATH = '/a2a/rest';
/** The well-known agent card path (the SDK's `AGENT_CARD_PATH`, with its leading slash). */
export const AGENT_CARD_URL_PATH = '/.well-known/agent-card.json';

/**
 * The card of the durable demo agent. `publicUrl` is the base URL clients reach the server at;
 * both transports are advertised, JSON-RPC first (the SDK client's default preference), for
 * protocol 1.0 and, through the SDK's compatibility layer, 0.3 (see `legacy-protocol.ts`). It
 * declares the Secure Passport extension (optional) with the state keys the agent uses.
 */
export function buildAgentCard(publicUrl: string): AgentCard {
  const base = publicUrl.replace(/\/+$/, '');
  return withPassportExtension(withLegacyInterfaces(baseCard(base)), {
    supportedStateKeys: PASSPORT_STATE_KEYS,
    description:
      'Optional Secure Passport (CallerContext) in message metadata, or in the a2a-passport header ' +
      'on other calls. A verified passport scopes tasks to its client id; user_preferred_currency ' +
      '(verified or unsigned) sets the currency the report quotes.',
  });
}

function baseCard(base: string): AgentCard {
  return {
    name: 'Durable Demo Agent',
    description:
      'Works through a few steps, streams progress and a report artifact, honours cancel and can ask ' +
      'for input. Tasks and push notification configs live in a durable a2a-stores store, so they ' +
      'survive restarts.',
    supportedInterfaces: [
      {
        url: `${base}${JSONRPC_PATH}`,
        protocolBinding: 'JSONRPC',
        tenant: '',
        protocolVersion: A2A_PROTOCOL_VERSION,
      },
      {
        url: `${base}${REST_PATH}`,
        protocolBinding: 'HTTP+JSON',
        tenant: '',
        protocolVersion: A2A_PROTOCOL_VERSION,
      },
    ],
    provider: { organization: 'a2a-stores', url: 'https://github.com/a2a-stores' },
    version: '0.1.0',
    capabilities: {
      streaming: true,
      pushNotifications: true,
      extensions: [],
      extendedAgentCard: false,
    },
    securitySchemes: {
      bearer: {
        scheme: {
          $case: 'httpAuthSecurityScheme',
          value: {
            description:
              'Optional. `Authorization: Bearer <user>:<secret>`; each user sees only their own tasks. ' +
              'Calls without it share one anonymous scope.',
            scheme: 'Bearer',
            bearerFormat: 'user:secret',
          },
        },
      },
    },
    // Empty: authentication is optional (anonymous callers share one scope).
    securityRequirements: [],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [
      {
        id: 'durable-report',
        name: 'Durable report',
        description:
          'Writes a short report after a few work steps. Say "ask me" to be asked a question first; ' +
          'say "steps: N" (1-100) to change how many steps it works.',
        tags: ['demo', 'long-running', 'cancellable', 'input-required'],
        examples: [
          'write a report',
          'ask me before writing a report',
          'write a report in steps: 10',
        ],
        inputModes: ['text/plain'],
        outputModes: ['text/plain'],
        securityRequirements: [],
      },
    ],
    signatures: [],
  };
}

import type { AgentCard, AgentInterface } from '@a2a-js/sdk';
import { legacyAgentCardRouter } from '@a2a-js/sdk/compat/v0_3/server/express';
import type { A2ARequestHandler } from '@a2a-js/sdk/server';
import type { RequestHandler } from 'express';

/** The A2A protocol version of the clients the SDK's compatibility layer translates. */
export const LEGACY_PROTOCOL_VERSION = '0.3';

const VERSION_HEADER = 'A2A-Version';

/**
 * The SDK's v0.3 compatibility switch, spread into the options of `jsonRpcHandler` and
 * `restHandler`. Dispatch is by the `A2A-Version` header: a request saying 0.3, or saying no
 * version at all (what v0.3 clients send), is translated from and to the v0.3 wire format; a
 * request saying 1.0 is served as before. The stores see the same v1.0 calls either way, so a v0.3
 * client's tasks are scoped, guarded and durable exactly like a v1.0 client's.
 */
export const LEGACY_COMPAT = { legacyCompat: { enabled: true } } as const;

/**
 * Adds a v0.3 interface for each v1.0 interface of `card`, at the same URL. The SDK refuses a call
 * whose version no interface of its binding declares, and builds the v0.3 card from these
 * entries, so both are needed for v0.3 clients to be served. The v1.0 interfaces stay first: the
 * SDK's v1.0 client picks the first one it supports.
 */
export function withLegacyInterfaces(card: AgentCard): AgentCard {
  const legacy: AgentInterface[] = card.supportedInterfaces.map((entry) => ({
    ...entry,
    protocolVersion: LEGACY_PROTOCOL_VERSION,
  }));
  return { ...card, supportedInterfaces: [...card.supportedInterfaces, ...legacy] };
}

/**
 * The handlers to mount on the agent card path before the v1.0 `agentCardHandler`: the SDK's v0.3
 * card router answers requests without `A2A-Version` (or saying 0.3) and passes the others on,
 * which are then marked `Vary: A2A-Version` so a shared cache keeps the two cards apart.
 *
 * Not `agentCardHandler`'s own `legacyCompat` switch: that one hands the v0.3 translator the
 * provider's card, which here is the proto JSON form the translator cannot read; this router gets
 * the request handler's card in the SDK's own form.
 */
export function legacyAgentCardRoutes(requestHandler: A2ARequestHandler): RequestHandler[] {
  return [
    legacyAgentCardRouter({ agentCardProvider: requestHandler }),
    (_req, res, next) => {
      res.append('Vary', VERSION_HEADER);
      next();
    },
  ];
}

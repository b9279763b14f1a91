import { type AgentCard, HTTP_EXTENSION_HEADER } from '@a2a-js/sdk';
import type { AfterArgs, BeforeArgs, CallInterceptor } from '@a2a-js/sdk/client';
import type { CallerContext, PassportContent } from '../caller-context.js';
import { validateCallerContext } from '../caller-context.js';
import { PASSPORT_HEADER, SECURE_PASSPORT_URI } from '../constants.js';
import type { JsonObject } from '../json-value.js';
import { attachPassport } from '../message.js';
import { encodePassportHeader } from '../passport-header.js';
import { type SignPassportOptions, signPassport } from '../sign.js';

/** What the interceptor is told about the call it is attaching a passport to. */
export interface PassportCall {
  /** The SDK client method, e.g. `sendMessage`, `getTask`. */
  readonly method: string;
  readonly agentCard: AgentCard;
}

/** Options of {@link passportInterceptor}. */
export interface PassportInterceptorOptions {
  /** This (calling) agent's identifier. */
  readonly clientId: string;
  /** Session id to send, fixed or per call. */
  readonly sessionId?: string | ((call: PassportCall) => string | undefined);
  /** State to share, fixed or computed per call (e.g. the current user's preferences). */
  readonly state?: JsonObject | ((call: PassportCall) => JsonObject | Promise<JsonObject>);
  /** Sign every passport with this key. Without it, passports are sent unsigned. */
  readonly signing?: Omit<SignPassportOptions, 'audience'>;
  /**
   * The called agent's identifier for `aud`. Default: the URL of the first interface on its card
   * (the server should then accept `passportAudiences(card)`).
   */
  readonly audience?: string | ((card: AgentCard) => string);
  /** Header used on calls without a message. Default `a2a-passport`. */
  readonly headerName?: string;
}

/**
 * An SDK client interceptor that attaches a passport (signed when `signing` is given, with a fresh
 * nonce per call) to every call: in the message metadata for `sendMessage` and
 * `sendMessageStream`, in the `a2a-passport` header for the other calls, so a server using
 * `PassportRequestHandler` and `passportScopeResolver` scopes all of them to this client. It also
 * requests the extension in the `A2A-Extensions` header. The caller's message is not mutated.
 *
 * @example
 * ```ts
 * import { ClientFactory, ClientFactoryOptions } from '@a2a-js/sdk/client';
 * import { passportInterceptor } from '@a2a-stores/passport';
 * const factory = new ClientFactory(
 *   ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
 *     clientConfig: {
 *       interceptors: [
 *         passportInterceptor({
 *           clientId: 'a2a://travel-orchestrator.com',
 *           state: { user_preferred_currency: 'GBP' },
 *           signing: { privateKey, kid: 'orchestrator-2025', alg: 'EdDSA' },
 *         }),
 *       ],
 *     },
 *   }),
 * );
 * ```
 */
export function passportInterceptor(options: PassportInterceptorOptions): CallInterceptor {
  // Fail at setup, not on the first call, when the fixed parts are invalid.
  validateCallerContext({
    clientId: options.clientId,
    state: typeof options.state === 'object' ? options.state : {},
    ...(typeof options.sessionId === 'string' ? { sessionId: options.sessionId } : {}),
  });
  const headerName = options.headerName ?? PASSPORT_HEADER;

  const passportFor = async (call: PassportCall): Promise<CallerContext> => {
    const state =
      typeof options.state === 'function' ? await options.state(call) : (options.state ?? {});
    const sessionId =
      typeof options.sessionId === 'function' ? options.sessionId(call) : options.sessionId;
    const content: PassportContent = {
      clientId: options.clientId,
      state,
      ...(sessionId === undefined ? {} : { sessionId }),
    };
    if (!options.signing) return validateCallerContext(content);
    return signPassport(content, {
      ...options.signing,
      audience: audienceFor(options.audience, call.agentCard),
    });
  };

  return {
    async before(args: BeforeArgs): Promise<void> {
      const { input } = args;
      if (!input || input.method === 'getAgentCard') return;
      const passport = await passportFor({ method: input.method, agentCard: args.agentCard });
      const requestOptions = args.options ?? {};
      const serviceParameters = { ...(requestOptions.serviceParameters ?? {}) };
      requestExtension(serviceParameters);
      if (input.method === 'sendMessage' || input.method === 'sendMessageStream') {
        if (input.value.message) {
          input.value = { ...input.value, message: attachPassport(input.value.message, passport) };
        }
      } else {
        serviceParameters[headerName] = encodePassportHeader(passport);
      }
      args.options = { ...requestOptions, serviceParameters };
    },
    async after(_args: AfterArgs): Promise<void> {},
  };
}

function audienceFor(audience: PassportInterceptorOptions['audience'], card: AgentCard): string {
  if (typeof audience === 'string') return audience;
  if (typeof audience === 'function') return audience(card);
  const url = card.supportedInterfaces?.[0]?.url;
  if (!url)
    throw new TypeError(
      'The agent card lists no interface URL; pass `audience` to passportInterceptor',
    );
  return url;
}

/** Adds the extension URI to whichever extensions header the client already normalized. */
function requestExtension(parameters: Record<string, string>): void {
  const existing = Object.keys(parameters).find((key) => /^(x-)?a2a-extensions$/i.test(key));
  const key = existing ?? HTTP_EXTENSION_HEADER;
  const values = (parameters[key] ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
  if (!values.includes(SECURE_PASSPORT_URI)) values.push(SECURE_PASSPORT_URI);
  parameters[key] = values.join(',');
}

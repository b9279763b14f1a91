import type { AgentCard, AgentExtension } from '@a2a-js/sdk';
import { SECURE_PASSPORT_URI } from './constants.js';

/** Options of {@link passportExtension}. */
export interface PassportExtensionOptions {
  /** The state keys this agent understands and uses (the guide's `supportedStateKeys`). */
  readonly supportedStateKeys?: readonly string[];
  /** How this agent uses passports. Default: a generic sentence. */
  readonly description?: string;
  /**
   * Whether clients must use the extension (the SDK then refuses calls that do not request it in
   * the `A2A-Extensions` header). Default false.
   */
  readonly required?: boolean;
}

const DEFAULT_DESCRIPTION =
  'Accepts a Secure Passport (CallerContext) in message metadata to personalise answers; signed passports are verified.';

/**
 * The AgentCard declaration of the extension, in the guide's shape: `uri`, and `params` holding
 * `supportedStateKeys` when given (empty `params` otherwise), plus the SDK's `description` and
 * `required`.
 *
 * @example
 * ```ts
 * import { passportExtension } from '@a2a-stores/passport';
 * const declaration = passportExtension({ supportedStateKeys: ['user_preferred_currency', 'loyalty_tier'] });
 * // { uri: SECURE_PASSPORT_URI, params: { supportedStateKeys: [...] }, description: '...', required: false }
 * ```
 */
export function passportExtension(options: PassportExtensionOptions = {}): AgentExtension {
  const keys = options.supportedStateKeys ?? [];
  if (keys.some((key) => typeof key !== 'string' || key.length === 0)) {
    throw new TypeError('supportedStateKeys must be non-empty strings');
  }
  return {
    uri: SECURE_PASSPORT_URI,
    description: options.description ?? DEFAULT_DESCRIPTION,
    required: options.required ?? false,
    params: keys.length > 0 ? { supportedStateKeys: [...new Set(keys)] } : {},
  };
}

/**
 * Returns a copy of `card` declaring the extension in `capabilities.extensions` (replacing an
 * earlier declaration of the same URI, keeping every other extension).
 *
 * @example
 * ```ts
 * import { withPassportExtension } from '@a2a-stores/passport';
 * const card = withPassportExtension(baseCard, { supportedStateKeys: ['user_preferred_currency'] });
 * ```
 */
export function withPassportExtension(
  card: AgentCard,
  options: PassportExtensionOptions = {},
): AgentCard {
  const capabilities = card.capabilities ?? { extensions: [] };
  const others = (capabilities.extensions ?? []).filter(
    (extension) => extension.uri !== SECURE_PASSPORT_URI,
  );
  return {
    ...card,
    capabilities: { ...capabilities, extensions: [...others, passportExtension(options)] },
  };
}

/**
 * The identifiers a client may use as `audience` when calling this agent: the URL of each
 * interface on its card. Pass the result as the verifier's `audience`.
 */
export function passportAudiences(card: AgentCard): string[] {
  const urls = (card.supportedInterfaces ?? [])
    .map((entry) => entry.url)
    .filter((url) => typeof url === 'string' && url !== '');
  return [...new Set(urls)];
}

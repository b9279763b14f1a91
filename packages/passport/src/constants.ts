/**
 * The Secure Passport extension URI, from the extension's guide. A passport travels in
 * `message.metadata[SECURE_PASSPORT_URI]`, and an AgentCard declares support under this URI.
 */
export const SECURE_PASSPORT_URI =
  'https://github.com/a2aproject/a2a-samples/tree/main/samples/python/extensions/secure-passport';

/**
 * The `typ` of a passport signature's protected header. No other JWS this package or the SDK
 * produces carries it (AgentCard signatures use their own `typ` over a different payload), so a
 * passport signature can never be taken for an AgentCard signature, nor the other way round.
 */
export const PASSPORT_JWS_TYPE = 'a2a-passport+jws';

/**
 * The request header that carries a passport on calls without a message (get, list, cancel,
 * resubscribe, push config calls). Its value is the base64url of the passport's JSON. This carrier
 * is an a2a-stores addition: the extension's guide only defines the message metadata carrier.
 */
export const PASSPORT_HEADER = 'a2a-passport';

/** Owner prefix of scopes decided by a verified passport; reserved for them (see the resolver). */
export const PASSPORT_OWNER_PREFIX = 'passport:';

/** Signature algorithms a passport may use: Ed25519 (`EdDSA`) and P-256 (`ES256`). */
export type PassportAlgorithm = 'EdDSA' | 'ES256';

/** Every {@link PassportAlgorithm}. */
export const PASSPORT_ALGORITHMS: readonly PassportAlgorithm[] = Object.freeze(['EdDSA', 'ES256']);

/** Size limits of a passport; input over them is malformed. */
export const PASSPORT_LIMITS = Object.freeze({
  /** Scope owners are at most 255 characters, and verified owners are `passport:<clientId>`. */
  maxClientIdLength: 255 - PASSPORT_OWNER_PREFIX.length,
  maxSessionIdLength: 255,
  /** Compact detached JWS: a small protected header and a 64-byte signature fit easily. */
  maxSignatureLength: 4096,
  /** UTF-8 bytes of the RFC 8785 canonical JSON of `state`. */
  maxStateBytes: 64 * 1024,
  /** Nesting depth of `state` (the object itself is depth 1). */
  maxStateDepth: 32,
  /** JSON values (objects, arrays, scalars) in `state`. */
  maxStateValues: 10_000,
});

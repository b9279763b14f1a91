export {
  type PassportExtensionOptions,
  passportAudiences,
  passportExtension,
  withPassportExtension,
} from './agent-card.js';
export {
  type CallerContext,
  type CallerContextParse,
  type PassportContent,
  parseCallerContext,
  validateCallerContext,
} from './caller-context.js';
export {
  type PassportCall,
  type PassportInterceptorOptions,
  passportInterceptor,
} from './client/passport-interceptor.js';
export {
  PASSPORT_ALGORITHMS,
  PASSPORT_HEADER,
  PASSPORT_JWS_TYPE,
  PASSPORT_LIMITS,
  PASSPORT_OWNER_PREFIX,
  type PassportAlgorithm,
  SECURE_PASSPORT_URI,
} from './constants.js';
export {
  InvalidPassportError,
  PassportKeysUnavailableError,
  PassportRejectedError,
  ReplayCacheUnavailableError,
} from './errors.js';
export type { JsonObject, JsonPrimitive, JsonValue } from './json-value.js';
export {
  checkJwksUrl,
  type JwksUrlDecision,
  type JwksUrlPolicy,
  type JwksUrlPolicyOptions,
  type JwksUrlRefusal,
  jwksUrlPolicy,
} from './keys/jwks-url-policy.js';
export {
  type PassportKeyQuery,
  type PassportKeyResolver,
  staticKeyResolver,
} from './keys/key-resolver.js';
export { type RemoteKeyResolverOptions, remoteKeyResolver } from './keys/remote-key-resolver.js';
export { attachPassport, type ReadPassportResult, readPassport } from './message.js';
export { decodePassportHeader, encodePassportHeader } from './passport-header.js';
export {
  RedisReplayCache,
  type RedisReplayCacheOptions,
  type RedisSetNxPx,
} from './replay/redis-replay-cache.js';
export {
  MemoryReplayCache,
  type MemoryReplayCacheOptions,
  type ReplayCache,
} from './replay/replay-cache.js';
export {
  getPassportVerification,
  PASSPORT_STATE_KEY,
  setPassportVerification,
} from './server/call-state.js';
export {
  PassportRequestHandler,
  type PassportRequestHandlerOptions,
} from './server/passport-request-handler.js';
export {
  type PassportScopeResolverOptions,
  passportOwner,
  passportScopeResolver,
} from './server/passport-scope-resolver.js';
export { DEFAULT_PASSPORT_TTL_SECONDS, type SignPassportOptions, signPassport } from './sign.js';
export {
  DEFAULT_CLOCK_SKEW_SECONDS,
  DEFAULT_MAX_AGE_SECONDS,
  type VerifyPassportOptions,
  verifyPassport,
} from './verify.js';
export type {
  FailedPassport,
  PassportFailureReason,
  PassportVerification,
  PassportVerifyResult,
  UnsignedPassport,
  VerifiedPassport,
} from './verify-result.js';

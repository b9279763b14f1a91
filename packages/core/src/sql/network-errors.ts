/**
 * Socket-level error codes meaning "the database could not be reached or the connection broke":
 * the call may be retried once the service is back.
 */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

/**
 * True when `error`, its `cause` chain, or any error of an `AggregateError` (Node's multi-address
 * connect) carries a {@link NETWORK_ERROR_CODES} code. Driver-specific signals (SQLSTATE classes,
 * driver messages) are the adapter's to add.
 */
export function isNetworkError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
  if (error instanceof AggregateError && error.errors.some((e) => isNetworkError(e, depth + 1))) {
    return true;
  }
  return isNetworkError((error as { cause?: unknown }).cause, depth + 1);
}

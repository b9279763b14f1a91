import { InvalidInputError } from '@a2a-stores/core';

/** Longest key, holder, token or channel accepted: core derives short hashes and ids. */
export const MAX_NAME_LENGTH = 1_024;
/** Longest lease accepted: a day; executions renew far more often than that. */
const MAX_TTL_MS = 86_400_000;
const MAX_CLAIM_LIMIT = 1_000;

export function assertName(
  value: unknown,
  what: string,
  allowEmpty = false,
): asserts value is string {
  if (typeof value !== 'string' || (!allowEmpty && value.length === 0)) {
    throw new InvalidInputError(`${what} must be a${allowEmpty ? '' : ' non-empty'} string`);
  }
  if (value.length > MAX_NAME_LENGTH) {
    throw new InvalidInputError(`${what} is longer than ${MAX_NAME_LENGTH} characters`);
  }
  // PostgreSQL text cannot hold NUL; refusing it here gives a client error, not a driver one.
  if (value.includes('\0')) throw new InvalidInputError(`${what} must not contain NUL characters`);
}

export function assertTtl(ttlMs: unknown): asserts ttlMs is number {
  if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs) || ttlMs <= 0 || ttlMs > MAX_TTL_MS) {
    throw new InvalidInputError(`ttlMs must be an integer from 1 to ${MAX_TTL_MS}`);
  }
}

export function assertLimit(limit: unknown): asserts limit is number {
  if (
    typeof limit !== 'number' ||
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > MAX_CLAIM_LIMIT
  ) {
    throw new InvalidInputError(`limit must be an integer from 1 to ${MAX_CLAIM_LIMIT}`);
  }
}

export function assertMessage(message: unknown): asserts message is string {
  if (typeof message !== 'string') throw new InvalidInputError('message must be a string');
  if (message.includes('\0'))
    throw new InvalidInputError('message must not contain NUL characters');
}

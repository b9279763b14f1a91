import type { ServerCallContext } from '@a2a-js/sdk/server';
import type { BenchScope } from '../fixtures.js';

/** The raw floors' scope: the same tenant and owner every other subject derives. */
export function scopeOfContext(context: ServerCallContext): BenchScope {
  return { tenant: context.tenant ?? '', owner: context.user?.userName ?? '' };
}

import { createHash } from 'node:crypto';
import { migrationGuardKey } from './keys.js';
import type { RedisClient } from './options.js';

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * A server-side script run with EVALSHA, falling back to EVAL when the server does not have it
 * cached (first call, restart, SCRIPT FLUSH); EVAL caches it again. Unlike ioredis'
 * `defineCommand`, this adds no methods to a client you pass in.
 */
export class LuaScript {
  readonly sha: string;

  constructor(
    readonly name: string,
    readonly source: string,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /**
   * Runs the script on the slot of `base` (a scope base: the script derives every key it
   * touches from it). The declared keys are the base and its {@link migrationGuardKey}, which
   * never exists: during a resharding of the slot, Redis then answers TRYAGAIN (ioredis retries
   * it) instead of redirecting the script with ASK to the importing node, where it would run
   * against the part of the scope already moved (an empty index, a split scope).
   */
  async run(
    client: RedisClient,
    base: string,
    args: readonly (string | number)[],
  ): Promise<unknown> {
    const guard = migrationGuardKey(base);
    try {
      return await client.evalsha(this.sha, 2, base, guard, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return client.eval(this.source, 2, base, guard, ...args);
    }
  }
}

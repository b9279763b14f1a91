import { createHash } from 'node:crypto';
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

  async run(
    client: RedisClient,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

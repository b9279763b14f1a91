import type { EncodedPushConfig, PushConfigBackend, PushPutOutcome, Scope } from '@a2a-stores/core';
import { pushConfigsKey, pushOrderKey } from './keys.js';
import {
  deletePushConfigScript,
  listPushConfigsScript,
  putPushConfigScript,
} from './lua/push-scripts.js';
import type { RedisSession } from './session.js';

/**
 * A stored config: the wire version as a JSON string, a newline, then the config JSON. Neither
 * part can contain a raw newline (JSON escapes them), so the first one splits them.
 */
export function encodeStoredPushConfig(config: EncodedPushConfig): string {
  return `${JSON.stringify(config.wireVersion)}\n${config.json}`;
}

/** An unreadable value comes back with its raw text as `json`, so the codec reports it corrupt. */
export function decodeStoredPushConfig(id: string, value: string): EncodedPushConfig {
  const split = value.indexOf('\n');
  if (split > 0) {
    try {
      const wireVersion: unknown = JSON.parse(value.slice(0, split));
      if (typeof wireVersion === 'string') return { id, wireVersion, json: value.slice(split + 1) };
    } catch {
      // Falls through to the corrupt form below.
    }
  }
  return { id, wireVersion: '', json: value };
}

/** Push configs in Redis: a hash of configs and a list of their order, per task, in the scope's slot. */
export class RedisPushConfigBackend implements PushConfigBackend {
  constructor(private readonly session: RedisSession) {}

  async put(
    scope: Scope,
    taskId: string,
    config: EncodedPushConfig,
    maxPerTask: number,
  ): Promise<PushPutOutcome> {
    const { base, tag } = this.session.scopes.of(scope);
    await this.session.registerScope(tag);
    const written = await this.session.call((client) =>
      putPushConfigScript.run(client, base, [
        taskId,
        config.id,
        encodeStoredPushConfig(config),
        String(maxPerTask),
      ]),
    );
    if (written !== 1) return 'limit';
    await this.session.awaitReplicas(base);
    return 'written';
  }

  async list(scope: Scope, taskId: string): Promise<readonly EncodedPushConfig[]> {
    const { base } = this.session.scopes.of(scope);
    const reply = (await this.session.call((client) =>
      listPushConfigsScript.run(client, base, [taskId]),
    )) as string[];
    const configs: EncodedPushConfig[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      configs.push(decodeStoredPushConfig(String(reply[i]), String(reply[i + 1])));
    }
    return configs;
  }

  async delete(scope: Scope, taskId: string, configId: string): Promise<void> {
    const { base } = this.session.scopes.of(scope);
    await this.session.call((client) =>
      deletePushConfigScript.run(client, base, [taskId, configId]),
    );
    await this.session.awaitReplicas(base);
  }

  async deleteAll(scope: Scope, taskId: string): Promise<void> {
    const { base } = this.session.scopes.of(scope);
    // One DEL of two keys of one slot: atomic, no script needed.
    await this.session.call((client) =>
      client.del(pushConfigsKey(base, taskId), pushOrderKey(base, taskId)),
    );
    await this.session.awaitReplicas(base);
  }
}

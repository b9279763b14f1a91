import type { EncodedPushConfig, PushConfigBackend, PushPutOutcome, Scope } from '@a2a-stores/core';
import type { JournalFile } from './journal-file.js';

/** Push configs in the journal, in registration order per task. */
export class JournalPushConfigBackend implements PushConfigBackend {
  constructor(private readonly file: JournalFile) {}

  put(
    scope: Scope,
    taskId: string,
    config: EncodedPushConfig,
    maxPerTask: number,
  ): Promise<PushPutOutcome> {
    return this.file.exclusive((state) => {
      const existing = state.configsOf(scope, taskId);
      const replaces = existing.some((c) => c.id === config.id);
      if (!replaces && existing.length >= maxPerTask) return { records: [], result: 'limit' };
      const { id, json, wireVersion } = config;
      return {
        records: [{ op: 'putPush', scope, taskId, config: { id, json, wireVersion } }],
        result: 'written',
      };
    });
  }

  async list(scope: Scope, taskId: string): Promise<readonly EncodedPushConfig[]> {
    return this.file.state.configsOf(scope, taskId).map((c) => ({ ...c }));
  }

  async delete(scope: Scope, taskId: string, configId: string): Promise<void> {
    await this.file.exclusive((state) => ({
      records: state.configsOf(scope, taskId).some((c) => c.id === configId)
        ? [{ op: 'deletePush', scope, taskId, configId }]
        : [],
      result: undefined,
    }));
  }

  async deleteAll(scope: Scope, taskId: string): Promise<void> {
    await this.file.exclusive((state) => ({
      records:
        state.configsOf(scope, taskId).length > 0 ? [{ op: 'deleteAllPush', scope, taskId }] : [],
      result: undefined,
    }));
  }
}

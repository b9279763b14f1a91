import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreHarness } from '@a2a-stores/core/conformance';
import { journalStoresOver } from './create-journal-stores.js';
import { JournalFile } from './journal-file.js';

/**
 * The conformance harness of the journal adapter: one journal file shared by every test (like a
 * database), with a raw probe that appends unreadable records to it. `a2a-stores conformance
 * --module src/harness.ts` and `test/conformance.test.ts` both use it.
 */
function journalHarness(): StoreHarness {
  let dir: string | undefined;
  let opened: Promise<JournalFile> | undefined;
  const file = () => {
    if (!opened) {
      dir = mkdtempSync(join(tmpdir(), 'journal-adapter-'));
      // fsync off: the suite writes thousands of records; durability is tested on its own.
      opened = JournalFile.open(join(dir, 'stores.jsonl'), { fsync: false });
    }
    return opened;
  };
  return {
    name: 'json-lines journal (custom adapter)',
    async create(options) {
      return journalStoresOver(await file(), options);
    },
    async destroy() {
      if (opened !== undefined) await (await opened).close();
      if (dir) rmSync(dir, { recursive: true, force: true });
      opened = undefined;
    },
    probe: {
      async corruptTask(scope, taskId) {
        const journal = await file();
        await journal.exclusive((state) => {
          const stored = state.task(scope, taskId);
          if (!stored) throw new Error('probe: no such task');
          const task = { ...stored, body: '{"id": truncated', artifacts: '[not json' };
          return { records: [{ op: 'putTask', scope, task }], result: undefined };
        });
      },
      async corruptPushConfig(scope, taskId, configId) {
        const journal = await file();
        await journal.exclusive((state) => {
          const stored = state.configsOf(scope, taskId).find((c) => c.id === configId);
          if (!stored) throw new Error('probe: no such push config');
          const config = { ...stored, json: '\u0000garbage' };
          return { records: [{ op: 'putPush', scope, taskId, config }], result: undefined };
        });
      },
      async readTaskRaw(scope, taskId) {
        const stored = (await file()).state.task(scope, taskId);
        return stored && `${stored.body}\n${stored.artifacts}`;
      },
      async readPushConfigsRaw(scope, taskId) {
        return (await file()).state.configsOf(scope, taskId).map((c) => c.json);
      },
    },
  };
}

/** What `a2a-stores conformance --module` looks for. */
export const harness: StoreHarness = journalHarness();

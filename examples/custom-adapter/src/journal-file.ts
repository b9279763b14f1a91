import { existsSync, readFileSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { type JournalRecord, JournalState } from './journal-state.js';

/**
 * An append-only JSON-lines journal: every change is one line, appended (and, with `fsync`,
 * flushed) before the call that made it resolves; opening the file replays it. Calls run one at
 * a time through a queue, so a check and the write it guards (compare-and-set, the push config
 * cap) can never interleave with another call. One process per file: there is no file lock.
 */
export class JournalFile {
  readonly state = new JournalState();
  private queue: Promise<unknown> = Promise.resolve();
  private handle: FileHandle | undefined;

  private constructor(
    readonly path: string,
    private readonly fsync: boolean,
  ) {}

  /** Opens (creating when missing, mode 0600) and replays the journal at `path`. */
  static async open(path: string, options: { fsync?: boolean } = {}): Promise<JournalFile> {
    const file = new JournalFile(path, options.fsync ?? true);
    if (existsSync(path)) {
      const lines = readFileSync(path, 'utf8').split('\n');
      // A crash mid-append can leave a torn last line: that change was never acknowledged.
      for (const [index, line] of lines.entries()) {
        if (line === '') continue;
        try {
          file.state.apply(JSON.parse(line) as JournalRecord);
        } catch (error) {
          if (index < lines.length - 1 && lines.slice(index + 1).some((l) => l !== '')) throw error;
        }
      }
    }
    file.handle = await open(path, 'a', 0o600);
    return file;
  }

  /**
   * Runs `change` alone: it reads the state and returns the records to append (and its result).
   * The records are written, then applied, then the result is returned.
   */
  exclusive<T>(
    change: (state: JournalState) => { records: JournalRecord[]; result: T },
  ): Promise<T> {
    const run = this.queue.then(async () => {
      const handle = this.handle;
      if (!handle) throw new Error(`journal ${this.path} is closed`);
      const { records, result } = change(this.state);
      if (records.length > 0) {
        await handle.appendFile(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
        if (this.fsync) await handle.datasync();
        for (const record of records) this.state.apply(record);
      }
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.handle?.close();
    this.handle = undefined;
  }
}

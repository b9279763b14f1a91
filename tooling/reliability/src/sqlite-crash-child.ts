// Child process of the SQLite crash check: writes until it is killed. Every write the store
// acknowledged (its promise resolved) is reported to the parent over IPC after resolution, so the
// parent only ever learns of writes that really were acknowledged.
// argv: <filename> <tenant> <owner> <name> <counter ids, comma-separated> <writers>
import { createSqliteStores } from '@a2a-stores/sqlite';
import { scopeContext, suiteStoreOptions } from './fixtures.js';
import { runWriter } from './write-workload.js';

const [filename, tenant, owner, name, counters, writerCount] = process.argv.slice(2);
if (!filename || !tenant || !owner || !name || !counters || !process.send) {
  throw new Error('usage: sqlite-crash-child <filename> <tenant> <owner> <name> <counters> <n>');
}
const send = process.send.bind(process);
const stores = createSqliteStores({ filename }, suiteStoreOptions());
const context = scopeContext({ tenant, owner });
const counterIds = counters.split(',');

process.on('message', (message: { type?: string }) => {
  if (message.type !== 'go') return;
  for (let w = 0; w < Number(writerCount ?? 1); w++) {
    runWriter({
      stores,
      context,
      name: `${name}-w${w}`,
      counterIds,
      onAck: (ack) => send({ type: 'ack', ack }),
      running: () => true,
      onFailure: async (error) => {
        // No fault is injected into SQLite itself: any failure is a finding.
        send({ type: 'failed', error: `${(error as Error)?.name}: ${(error as Error)?.message}` });
      },
    }).catch((error: unknown) => send({ type: 'failed', error: String(error) }));
  }
});
send({ type: 'ready' });

export {
  createJournalStores,
  type JournalStoreBundle,
  type JournalStoreOptions,
  journalStoresOver,
} from './create-journal-stores.js';
export { JournalFile } from './journal-file.js';
export type { JournalRecord, StoredTask } from './journal-state.js';

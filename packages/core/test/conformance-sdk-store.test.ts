import { InMemoryPushNotificationStore, InMemoryTaskStore } from '@a2a-js/sdk/server';
import { runStoreConformance, type StoreHarness } from '../src/conformance/index.js';

/**
 * The SDK's own in-memory stores under the SDK-level groups: this keeps our semantics honest.
 * Every deliberate divergence of core from the SDK's reference store is declared here, with why.
 */
const sdkHarness: StoreHarness = {
  name: '@a2a-js/sdk InMemoryTaskStore + InMemoryPushNotificationStore',
  create: () => ({
    taskStore: new InMemoryTaskStore(),
    pushNotificationStore: new InMemoryPushNotificationStore(),
  }),
  unsupported: {
    extendedTaskStore:
      'the SDK stores have no delete, loadVersioned, saveIfVersion, purge or deleteAll',
    storeOptions: 'the SDK constructors take only an owner resolver (no hooks, limits or policies)',
    terminalGuard:
      'InMemoryTaskStore.save overwrites unconditionally, so a late save regresses COMPLETED to WORKING',
    validatedPageTokens:
      "tokens are plain base64 'timestamp|id', bound to no scope or filter set; an unknown cursor yields an empty page, not an error",
    listHistoryLength:
      'InMemoryTaskStore.list ignores historyLength (DefaultRequestHandler.listTasks applies it)',
    validatedListParams:
      'InMemoryTaskStore.list does not validate pageSize, status or statusTimestampAfter (DefaultRequestHandler.listTasks does)',
    codePointIdOrder:
      'ties are ordered with String.prototype.localeCompare, a locale collation no database index reproduces; core uses code point (byte-wise UTF-8) order',
    instantTimestampOrder:
      "timestamps are ordered as strings (localeCompare), so '12:00+02:00' sorts after '11:00Z' although it is an hour earlier, and '00.5Z' after '00.500Z' although they are the same instant",
    inputLimits: 'no limits on id length, payload size or push configs per task',
    cascadeDelete: 'tasks cannot be deleted',
    sharedStorage: 'each InMemoryTaskStore holds its own tasks',
  },
};

runStoreConformance(sdkHarness, {
  groups: [
    'roundTrip',
    'copies',
    'scopeIsolation',
    'anonymousPolicy',
    'listOrder',
    'listPaging',
    'listShaping',
    'appends',
    'shortHistory',
    'staleWrites',
    'pushConfigs',
    'inputLimits',
  ],
});

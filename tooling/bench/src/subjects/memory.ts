import { InMemoryPushNotificationStore, InMemoryTaskStore } from '@a2a-js/sdk/server';
import type { Subject } from '../subject.js';

/** The SDK's in-memory stores: what an agent gets by default, and the lower bound of any store. */
export function sdkMemorySubject(): Subject {
  return {
    name: 'sdk InMemoryTaskStore',
    role: 'memory',
    taskStore: new InMemoryTaskStore(),
    pushStore: new InMemoryPushNotificationStore(),
    close: async () => {},
  };
}

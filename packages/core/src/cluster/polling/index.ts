export { MessageCursor } from './message-cursor.js';
export { MAX_CHANNEL_LENGTH, PollingCoordination } from './polling-coordination.js';
export {
  DEFAULT_GAP_WAIT_MS,
  DEFAULT_MESSAGE_RETENTION_MS,
  DEFAULT_POLL_INTERVAL_MS,
  type PollingCoordinationOptions,
  resolvePollingOptions,
} from './polling-options.js';
export type { PolledMessage, PollingStorePort } from './polling-store-port.js';

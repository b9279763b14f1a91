import { CorruptRecordError } from './errors.js';

/**
 * Parses JSON text read back from a backend. Anything that is not text, or not JSON, is a
 * `CorruptRecordError` for `recordId` naming what was read (`what`, with its verb: "body is",
 * "artifacts are").
 */
export function parseStoredJson(text: unknown, recordId: string, what: string): unknown {
  if (typeof text !== 'string') throw new CorruptRecordError(recordId, `${what} not text`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CorruptRecordError(recordId, `${what} not JSON`, { cause: error });
  }
}

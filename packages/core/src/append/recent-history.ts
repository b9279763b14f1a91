import { Message } from '@a2a-js/sdk';
import { serialising } from '../task-codec.js';

/**
 * Most UTF-8 bytes a task's recent form holds (its head plus its last messages). A list that
 * asks for a short history then reads this much of a large task instead of all of it, and every
 * write of a large task rewrites at most this much besides what changed.
 */
export const RECENT_MAX_BYTES = 4 * 1024;

/** The `reach` of a recent form that holds the whole history. */
export const RECENT_REACHES_ALL = 2_147_483_647;

/**
 * A large task's head and last messages, stored beside its full form so `list` with a short
 * `historyLength` reads a few KiB of it, not its whole history. `text` is a task body (the SDK
 * wire form without artifacts, as `EncodedTask.body`) whose history holds only the last
 * messages; `reach` is the largest `historyLength` it answers exactly: the number of messages it
 * holds, or {@link RECENT_REACHES_ALL} when that is all of them.
 */
export interface RecentHistory {
  readonly text: string;
  readonly reach: number;
}

/**
 * The recent form from the task's head JSON and the JSON of its last messages (a suffix of its
 * history, oldest first; `total` messages in all). Undefined when the head alone is over budget.
 */
export function recentFrom(
  headJson: string,
  lastMessages: readonly string[],
  total: number,
): RecentHistory | undefined {
  let bytes = Buffer.byteLength(headJson);
  if (bytes > RECENT_MAX_BYTES) return undefined;
  let from = lastMessages.length;
  while (from > 0) {
    const next = bytes + Buffer.byteLength(lastMessages[from - 1] as string) + 1;
    if (next > RECENT_MAX_BYTES) break;
    bytes = next;
    from--;
  }
  const held = lastMessages.length - from;
  const history = held ? `"history":[${lastMessages.slice(from).join(',')}]` : '';
  const text = !history
    ? headJson
    : headJson.length > 2
      ? `${headJson.slice(0, -1)},${history}}`
      : `{${history}}`;
  return { text, reach: held === total ? RECENT_REACHES_ALL : held };
}

/**
 * JSON of the last messages of `history` that can fit in a recent form, oldest first: walks
 * back from the end and stops at the first one over budget, so it encodes at most one message
 * more than the form holds.
 */
export function lastMessagesJson(history: readonly Message[]): string[] {
  const out: string[] = [];
  let bytes = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const json = serialising(() => JSON.stringify(Message.toJSON(history[i] as Message)));
    bytes += Buffer.byteLength(json) + 1;
    if (bytes > RECENT_MAX_BYTES) break;
    out.push(json);
  }
  return out.reverse();
}

/** The last of `kept` then `added` (message JSON, oldest first) that can fit in a recent form. */
export function keepLastMessages(kept: readonly string[], added: readonly string[]): string[] {
  const all = added.length ? kept.concat(added) : kept;
  let bytes = 0;
  let from = all.length;
  while (from > 0) {
    bytes += Buffer.byteLength(all[from - 1] as string) + 1;
    if (bytes > RECENT_MAX_BYTES) break;
    from--;
  }
  return all.slice(from);
}

/**
 * What an append stores of the recent form: the new one, or undefined when the row's
 * (`storedText`: known text, null: none, undefined: not known) already equals it.
 */
export function recentChange(
  next: RecentHistory | undefined,
  storedText: string | null | undefined,
): RecentHistory | null | undefined {
  if (next === undefined) return storedText === null ? undefined : null;
  return next.text === storedText ? undefined : next;
}

/**
 * What travels in a NOTIFY payload. All logical channels share one PostgreSQL channel (one
 * LISTEN per worker, not one per task), so the logical channel rides inside the payload:
 *
 * - `m<channel length>:<channel><message>`: the message itself;
 * - `s<spill row id>:<channel>`: the message is in the spill table, too big for NOTIFY.
 *
 * The channel travels in a spill reference too, so a worker with no subscriber on it skips the
 * fetch.
 */
export type Frame =
  | { readonly kind: 'inline'; readonly channel: string; readonly message: string }
  | { readonly kind: 'spilled'; readonly channel: string; readonly id: string };

/**
 * NOTIFY refuses payloads of 8000 bytes or more; the margin keeps a frame clear of it whatever
 * the server's encoding conversion adds.
 */
export const MAX_INLINE_FRAME_BYTES = 7_900;

export function inlineFrame(channel: string, message: string): string {
  return `m${channel.length}:${channel}${message}`;
}

export function parseFrame(payload: string): Frame | undefined {
  const colon = payload.indexOf(':');
  if (colon < 2) return undefined;
  const head = payload.slice(1, colon);
  if (!/^\d+$/.test(head)) return undefined;
  if (payload[0] === 'm') {
    const length = Number(head);
    const end = colon + 1 + length;
    if (end > payload.length) return undefined;
    return {
      kind: 'inline',
      channel: payload.slice(colon + 1, end),
      message: payload.slice(end),
    };
  }
  if (payload[0] === 's') return { kind: 'spilled', id: head, channel: payload.slice(colon + 1) };
  return undefined;
}

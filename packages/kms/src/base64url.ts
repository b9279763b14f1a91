/**
 * Decodes unpadded base64url (the part of `text` from `start` on), or returns undefined unless
 * it is the canonical spelling of the bytes (what `toString('base64url')` gives), so one envelope
 * has one text. The whole of `text`, before `start` too, must be ASCII.
 *
 * Node's decoder is lenient: it skips characters outside the alphabet, stops at `=`, reads `+`
 * and `/` as `-` and `_`, reads a character above U+00FF by its low byte, and ignores the unused
 * low bits of a last partial group. Each leniency is ruled out below; this costs a few scans of
 * the text instead of re-encoding all of it.
 */
export function decodeCanonicalBase64url(text: string, start = 0): Buffer | undefined {
  const length = text.length - start;
  // No canonical text has length 4n+1; at any other length, a skipped character or an early
  // stop leaves fewer bytes than the length implies.
  if (length < 0 || length % 4 === 1) return undefined;
  // Same byte count, other spelling: the standard alphabet, or non-ASCII read by its low byte.
  // The ASCII check runs on `text` itself: on a slice of it (a V8 sliced string) it is several
  // times slower.
  if (
    text.includes('+', start) ||
    text.includes('/', start) ||
    Buffer.byteLength(text, 'utf8') !== text.length
  ) {
    return undefined;
  }
  const body = start === 0 ? text : text.slice(start);
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.length !== Math.floor((length * 3) / 4)) return undefined;
  const tail = length % 4;
  // A last group of 2 or 3 characters carries 1 or 2 bytes; the bits left over must be zero.
  if (
    tail !== 0 &&
    bytes.toString('base64url', bytes.length - (tail - 1)) !== body.slice(length - tail)
  ) {
    return undefined;
  }
  return bytes;
}

import { describe, expect, it } from 'vitest';
import { decodeSortKey, encodeSortKey, SORT_KEY_WIDTH } from '../src/keys.js';

/** The definition decodeSortKey must agree with: exact integer arithmetic. */
function reference(encoded: string): number {
  if (!/^[0-9a-f]{14}$/.test(encoded)) return Number.NaN;
  return Number(BigInt(`0x${encoded}`) - 2n ** 53n);
}

describe('decodeSortKey', () => {
  it('inverts encodeSortKey exactly over the whole safe-integer range', () => {
    const keys = [
      0,
      1,
      -1,
      2 ** 28 - 1,
      2 ** 28,
      -(2 ** 28),
      2 ** 32 + 1,
      Date.UTC(2024, 0, 15, 12),
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER - 1,
      Number.MIN_SAFE_INTEGER + 1,
    ];
    // `+ 0` turns a truncated -0 into the 0 it encodes as.
    for (let i = 0; i < 2000; i++) {
      keys.push(Math.trunc((Math.random() * 2 - 1) * Number.MAX_SAFE_INTEGER) + 0);
      keys.push(Math.trunc((Math.random() * 2 - 1) * 2 ** (1 + (i % 52))) + 0);
    }
    for (const key of keys) {
      expect(decodeSortKey(encodeSortKey(key))).toBe(key);
    }
    // Zero decodes as 0, never -0.
    expect(Object.is(decodeSortKey(encodeSortKey(0)), 0)).toBe(true);
  });

  it('agrees with exact arithmetic on every 14-digit text, encoded or not', () => {
    const texts = ['00000000000000', 'ffffffffffffff', '3fffffffffffff', '40000000000000'];
    for (let i = 0; i < 2000; i++) {
      let text = '';
      for (let d = 0; d < SORT_KEY_WIDTH; d++) text += Math.floor(Math.random() * 16).toString(16);
      texts.push(text);
    }
    for (const text of texts) expect(decodeSortKey(text)).toBe(reference(text));
  });

  it('is NaN for anything that is not 14 lower-case hex digits', () => {
    for (const text of [
      '',
      '0',
      '0020000000000',
      '002000000000000',
      '0020000000000G',
      '0020000000000A',
      '002000000000 0',
      '-0200000000000',
      '0x200000000000',
      '002000000000\u0660\u0660',
    ]) {
      expect(decodeSortKey(text)).toBeNaN();
    }
  });
});

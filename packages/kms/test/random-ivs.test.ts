import { describe, expect, it } from 'vitest';
import { IV_BYTES } from '../src/envelope-format.js';
import { randomIvs } from '../src/random-ivs.js';

describe('random IVs', () => {
  it('hands out distinct 96-bit IVs that never change after', () => {
    const seen = new Set<string>();
    const handedOut: { iv: Buffer; hex: string }[] = [];
    // Batches of every size a record uses.
    for (let i = 0; i < 3000; i++) {
      for (const iv of randomIvs((i % 4) + 1)) {
        expect(iv.length).toBe(IV_BYTES);
        const hex = iv.toString('hex');
        expect(seen.has(hex)).toBe(false);
        seen.add(hex);
        handedOut.push({ iv, hex });
      }
    }
    for (const { iv, hex } of handedOut) expect(iv.toString('hex')).toBe(hex);
  });

  it('serves a large batch', () => {
    const ivs = randomIvs(1000);
    expect(new Set(ivs.map((iv) => iv.toString('hex'))).size).toBe(1000);
  });
});

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeCanonicalBase64url } from '../src/base64url.js';
import { formatEnvelope, parseEnvelope, SEALED_PREFIX, TAG_BYTES } from '../src/envelope-format.js';

/** Byte strings of every length class: 3n, 3n+1 (4 spare bits in the text), 3n+2 (2 spare). */
const samples = [30, 31, 32, 0, 1, 2].map((length) => randomBytes(length));

describe('canonical base64url decoding', () => {
  it('decodes exactly what toString("base64url") encodes', () => {
    for (const bytes of samples) {
      expect(decodeCanonicalBase64url(bytes.toString('base64url'))?.equals(bytes)).toBe(true);
    }
  });

  it('refuses padding, whitespace, junk and characters beyond ASCII', () => {
    for (const bytes of samples.filter((b) => b.length >= 30)) {
      const text = bytes.toString('base64url');
      const mid = text.length >> 1;
      const spellings = [
        `${text}=`,
        `${text}==`,
        bytes.toString('base64'), // padded (for two of the three lengths)
        text.slice(0, mid) + ' ' + text.slice(mid),
        text.slice(0, mid) + '\n' + text.slice(mid),
        `${text}\t`,
        `\r${text}`,
        text.slice(0, mid) + '.' + text.slice(mid),
        text.slice(0, mid) + '=' + text.slice(mid),
        // A character above U+00FF is read by its low byte: U+0141 as 'A', U+0130 as '0'.
        text.slice(0, mid) + '\u0141' + text.slice(mid + 1),
        text.slice(0, mid) + '\u0130' + text.slice(mid + 1),
        text.slice(0, mid) + '\u00e9' + text.slice(mid + 1),
      ];
      for (const spelling of spellings.filter((s) => s !== text)) {
        expect(decodeCanonicalBase64url(spelling), JSON.stringify(spelling)).toBeUndefined();
      }
    }
  });

  it('refuses a text cut inside a group', () => {
    for (const bytes of samples.filter((b) => b.length >= 30)) {
      const text = bytes.toString('base64url');
      const cut = text.slice(0, text.length - ((text.length % 4) + 3));
      expect(cut.length % 4).toBe(1);
      expect(decodeCanonicalBase64url(cut)).toBeUndefined();
    }
  });

  it('agrees with re-encoding on random edits', () => {
    // The reference: accept exactly the texts that are the canonical encoding of their bytes.
    const reference = (text: string) => {
      const bytes = Buffer.from(text, 'base64url');
      return bytes.toString('base64url') === text ? bytes : undefined;
    };
    const inserts = [
      '=',
      '+',
      '/',
      ' ',
      '\n',
      '.',
      '*',
      'A',
      '-',
      '_',
      '\u0141',
      '\u00e9',
      '\ud800',
    ];
    let accepted = 0;
    for (let round = 0; round < 3000; round++) {
      const bytes = randomBytes(round % 40);
      let text = bytes.toString('base64url');
      const at = text.length === 0 ? 0 : round % text.length;
      const edit = round % 3;
      if (edit === 0) text = text.slice(0, at) + inserts[round % inserts.length] + text.slice(at);
      else if (edit === 1) text = text.slice(0, at) + text.slice(at + 1);
      else text = text.slice(0, at) + inserts[round % inserts.length] + text.slice(at + 1);
      const expected = reference(text);
      const actual = decodeCanonicalBase64url(text);
      expect(actual === undefined, JSON.stringify(text)).toBe(expected === undefined);
      if (expected) {
        expect(actual!.equals(expected)).toBe(true);
        accepted++;
      }
    }
    // Both outcomes are exercised: some edits (a deletion, 'A' for a character) stay canonical.
    expect(accepted).toBeGreaterThan(100);
  });

  it('refuses the standard alphabet', () => {
    // 0xfb 0xff encodes with both characters that differ between the alphabets.
    const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0xfb, 0xff, 0xbf]);
    const text = bytes.toString('base64url');
    expect(text).toMatch(/[-_]/);
    expect(decodeCanonicalBase64url(text)?.equals(bytes)).toBe(true);
    expect(decodeCanonicalBase64url(bytes.toString('base64'))).toBeUndefined();
    expect(decodeCanonicalBase64url(text.replace('-', '+'))).toBeUndefined();
    expect(decodeCanonicalBase64url(text.replace('_', '/'))).toBeUndefined();
  });

  it('refuses non-zero spare bits in the last character', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const bytes of samples.filter((b) => b.length % 3 !== 0)) {
      const text = bytes.toString('base64url');
      const spare = text.length % 4 === 2 ? 0b1111 : 0b11;
      const last = alphabet.indexOf(text.at(-1)!);
      expect(last & spare).toBe(0);
      for (let bits = 1; bits <= spare; bits++) {
        const variant = text.slice(0, -1) + alphabet[last | bits];
        // Node decodes the variant to the same bytes; only the canonical text is accepted.
        expect(Buffer.from(variant, 'base64url').equals(bytes)).toBe(true);
        expect(decodeCanonicalBase64url(variant)).toBeUndefined();
      }
    }
  });

  it('makes parseEnvelope refuse those spellings of a real envelope', () => {
    const text = formatEnvelope({
      wrapped: { provider: 'local', keyId: 'k1', ciphertext: randomBytes(60) },
      iv: randomBytes(12),
      sealed: randomBytes(41 + TAG_BYTES),
    });
    const body = text.slice(SEALED_PREFIX.length);
    expect(parseEnvelope(text).sealed.length).toBe(41 + TAG_BYTES);
    for (const variant of [
      `${body}=`,
      ` ${body}`,
      body.replace(/[-_]/, (c) => (c === '-' ? '+' : '/')),
    ]) {
      if (variant === body) continue;
      expect(() => parseEnvelope(SEALED_PREFIX + variant)).toThrow(/base64url/);
    }
  });
});

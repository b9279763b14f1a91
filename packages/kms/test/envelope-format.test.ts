import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  formatEnvelope,
  IV_BYTES,
  looksSealed,
  parseEnvelope,
  SEALED_PREFIX,
  TAG_BYTES,
} from '../src/envelope-format.js';
import { fieldAadOf, keyContext, type RecordBinding } from '../src/record-binding.js';

const envelope = {
  wrapped: {
    provider: 'aws-kms',
    keyId: 'arn:aws:kms:us-east-1:111122223333:key/ünïcode-id',
    ciphertext: randomBytes(150),
  },
  iv: randomBytes(IV_BYTES),
  sealed: randomBytes(40 + TAG_BYTES),
};

describe('sealed value format', () => {
  it('round-trips and is self-describing', () => {
    const text = formatEnvelope(envelope);
    expect(text.startsWith(SEALED_PREFIX)).toBe(true);
    expect(text.slice(SEALED_PREFIX.length)).toMatch(/^[A-Za-z0-9_-]+$/);
    const parsed = parseEnvelope(text);
    expect(parsed.wrapped.provider).toBe(envelope.wrapped.provider);
    expect(parsed.wrapped.keyId).toBe(envelope.wrapped.keyId);
    expect(Buffer.from(parsed.wrapped.ciphertext).equals(envelope.wrapped.ciphertext)).toBe(true);
    expect(parsed.iv.equals(envelope.iv)).toBe(true);
    expect(parsed.sealed.equals(envelope.sealed)).toBe(true);
  });

  it('refuses every truncation, other versions, bad characters and empty key ids', () => {
    const text = formatEnvelope(envelope);
    const bytes = Buffer.from(text.slice(SEALED_PREFIX.length), 'base64url');
    const headerAndMinimum = bytes.length - 40;
    for (let length = 0; length < headerAndMinimum; length++) {
      const cut = SEALED_PREFIX + bytes.subarray(0, length).toString('base64url');
      expect(() => parseEnvelope(cut), `length ${length}`).toThrow();
    }
    for (const other of [0, 1, 3, 255]) {
      const otherVersion = Buffer.from(bytes);
      otherVersion[0] = other;
      expect(() => parseEnvelope(SEALED_PREFIX + otherVersion.toString('base64url'))).toThrow(
        /version/,
      );
    }
    for (const prefix of ['a2asealed:v3:', 'a2asealed:v0:', 'a2asealed:v02:', 'a2asealed:v:']) {
      expect(() => parseEnvelope(`${prefix}AAAA`)).toThrow(/version/);
    }
    const v1 = formatEnvelope({ ...envelope, version: 1 });
    expect(v1.startsWith('a2asealed:v1:')).toBe(true);
    expect(parseEnvelope(v1).version).toBe(1);
    const v1Bytes = Buffer.from(v1.slice('a2asealed:v1:'.length), 'base64url');
    expect(() => parseEnvelope(SEALED_PREFIX + v1Bytes.toString('base64url'))).toThrow(/version/);
    expect(() => parseEnvelope(`${text}*`)).toThrow(/base64url/);
    expect(() =>
      formatEnvelope({ ...envelope, wrapped: { ...envelope.wrapped, keyId: 'x'.repeat(70_000) } }),
    ).toThrow(RangeError);
    const noKey = formatEnvelope({ ...envelope, wrapped: { ...envelope.wrapped, keyId: '' } });
    expect(() => parseEnvelope(noKey)).toThrow(/no key/);
  });

  it('accepts only the canonical spelling of an envelope', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let variants = 0;
    // Three sealed lengths: two of them leave unused low bits in the last character.
    for (const extra of [0, 1, 2]) {
      const text = formatEnvelope({ ...envelope, sealed: randomBytes(40 + TAG_BYTES + extra) });
      const body = text.slice(SEALED_PREFIX.length);
      expect(() => parseEnvelope(`${text}=`)).toThrow(/base64url/);
      if (body.length % 4 === 0) continue;
      const spareBits = body.length % 4 === 2 ? 0b1111 : 0b11;
      const variant = text.slice(0, -1) + alphabet[alphabet.indexOf(body.at(-1)!) | spareBits];
      // The decoder ignores those bits: the same bytes, spelled another way, are refused.
      const decoded = Buffer.from(variant.slice(SEALED_PREFIX.length), 'base64url');
      expect(decoded.equals(Buffer.from(body, 'base64url'))).toBe(true);
      expect(() => parseEnvelope(variant)).toThrow(/base64url/);
      variants++;
    }
    expect(variants).toBe(2);
  });

  it('tells sealed values from plaintext', () => {
    expect(looksSealed(formatEnvelope(envelope))).toBe(true);
    expect(looksSealed('a2asealed:v9:whatever')).toBe(true);
    for (const plain of ['', 'token-123', 'A2ASEALED:v1:x', undefined, 42]) {
      expect(looksSealed(plain)).toBe(false);
    }
  });
});

describe('record binding', () => {
  const base: RecordBinding = {
    kind: 'push-config',
    scope: { tenant: 'acme', owner: 'alice' },
    taskId: 't1',
    configId: 'c1',
  };

  it('gives every record, field and URL distinct associated data', () => {
    const variants: [RecordBinding, string, string][] = [
      [base, 'token', 'https://a'],
      [{ ...base, kind: 'task' }, 'token', 'https://a'],
      [{ ...base, scope: { tenant: 'acme', owner: 'bob' } }, 'token', 'https://a'],
      [{ ...base, scope: { tenant: 'other', owner: 'alice' } }, 'token', 'https://a'],
      // Separator games: the encoding must not let strings run into each other.
      [{ ...base, scope: { tenant: 'acmealice', owner: '' } }, 'token', 'https://a'],
      [{ ...base, scope: { tenant: 'acme","alice', owner: '' } }, 'token', 'https://a'],
      [{ ...base, taskId: 't2' }, 'token', 'https://a'],
      [{ ...base, configId: 'c2' }, 'token', 'https://a'],
      [base, 'credentials', 'https://a'],
      [base, 'token', 'https://b'],
    ];
    const encodings = variants.map(([binding, field, url]) =>
      fieldAadOf(binding)(field, url).toString('hex'),
    );
    expect(new Set(encodings).size).toBe(variants.length);
  });

  it('encodes associated data as the JSON array of the whole binding', () => {
    // Part of the sealed format: the bytes must stay those of this one stringify.
    const odd: RecordBinding = {
      ...base,
      scope: { tenant: 'a"c\\me', owner: 'ünï\u2028' },
      taskId: ']',
    };
    for (const binding of [base, odd]) {
      for (const version of [1, 2]) {
        const perRecord = fieldAadOf(binding, version);
        const record = [
          'a2a-stores/sealed',
          version,
          binding.kind,
          binding.scope.tenant,
          binding.scope.owner,
          binding.taskId,
          binding.configId,
        ];
        for (const [field, extra] of [
          ['token', 'https://a'],
          ['history', ''],
          ['x"]', '\n'],
        ] as const) {
          const whole = JSON.stringify([...record, field, extra]);
          expect(perRecord(field, extra).toString('utf8')).toBe(whole);
        }
        expect(perRecord('history').equals(perRecord('history', ''))).toBe(true);
        // From v2 the credentials also bind their scheme; v1 (read only) never did.
        const bound = perRecord('credentials', 'https://a', ['Bearer"]']).toString('utf8');
        const bindings = version === 1 ? [] : ['Bearer"]'];
        expect(bound).toBe(JSON.stringify([...record, 'credentials', 'https://a', ...bindings]));
      }
      expect(fieldAadOf(binding)('history').toString('utf8')).toContain('"a2a-stores/sealed",2,');
    }
  });

  it('sends KMS a context naming the record, without empty values', () => {
    expect(keyContext(base, 1)['a2a-stores:format']).toBe('1');
    expect(keyContext(base)).toEqual({
      'a2a-stores:format': '2',
      'a2a-stores:record': 'push-config',
      'a2a-stores:tenant': 'acme',
      'a2a-stores:owner': 'alice',
      'a2a-stores:task': 't1',
      'a2a-stores:config': 'c1',
    });
    expect(
      keyContext({ kind: 'task', scope: { tenant: '', owner: '' }, taskId: 't', configId: '' }),
    ).toEqual({ 'a2a-stores:format': '2', 'a2a-stores:record': 'task', 'a2a-stores:task': 't' });
  });
});

import { TaskState } from '@a2a-js/sdk';
import { describe, expect, it } from 'vitest';
import {
  makeArtifact,
  makePushConfig,
  makeTask,
  rawPart,
  textPart,
} from '../src/conformance/index.js';
import {
  CorruptRecordError,
  canonicalTask,
  decodePushConfig,
  decodeTask,
  encodePushConfig,
  encodeTask,
  InvalidInputError,
  MISSING_TIMESTAMP_KEY,
  PayloadTooLargeError,
  timestampSortKey,
} from '../src/index.js';

const MAX = 4 * 1024 * 1024;

describe('task codec', () => {
  it('splits artifacts from the body and decodes back to the canonical task', () => {
    const task = makeTask({ artifactCount: 2, metadata: { a: { b: [1, null] } } });
    const encoded = encodeTask(task, MAX);
    expect(JSON.parse(encoded.body).artifacts).toBeUndefined();
    expect(JSON.parse(encoded.artifacts)).toHaveLength(2);
    expect(decodeTask(task.id, encoded.body, encoded.artifacts)).toEqual(canonicalTask(task));
  });

  it('decodes without artifacts when the caller did not read them', () => {
    const task = makeTask({ artifactCount: 2 });
    const encoded = encodeTask(task, MAX);
    expect(decodeTask(task.id, encoded.body).artifacts).toEqual([]);
    expect(decodeTask(task.id, encoded.body, null).artifacts).toEqual([]);
    expect(decodeTask(task.id, encoded.body, '[]').artifacts).toEqual([]);
  });

  it('takes artifacts from their own column, never from the body', () => {
    const task = makeTask({ artifactCount: 1 });
    const encoded = encodeTask(task, MAX);
    const body = JSON.stringify({
      ...JSON.parse(encoded.body),
      artifacts: [{ artifactId: 'stale' }],
    });
    expect(decodeTask(task.id, body, encoded.artifacts).artifacts).toEqual(
      canonicalTask(task).artifacts,
    );
    expect(decodeTask(task.id, body, '[]').artifacts).toEqual([]);
    expect(decodeTask(task.id, body).artifacts).toEqual([]);
  });

  it('extracts the columns list filters and orders on', () => {
    const task = makeTask({
      state: TaskState.TASK_STATE_INPUT_REQUIRED,
      timestamp: '2024-05-01T10:00:00.123Z',
    });
    const encoded = encodeTask(task, MAX);
    expect(encoded).toMatchObject({
      id: task.id,
      contextId: task.contextId,
      state: TaskState.TASK_STATE_INPUT_REQUIRED,
      sortKey: Date.parse('2024-05-01T10:00:00.123Z'),
    });
    expect(encoded.bytes).toBe(
      Buffer.byteLength(encoded.body) + Buffer.byteLength(encoded.artifacts),
    );
  });

  it('uses the missing key for absent or unparseable timestamps and state 0 without status', () => {
    expect(timestampSortKey(undefined)).toBe(MISSING_TIMESTAMP_KEY);
    expect(timestampSortKey('yesterday')).toBe(MISSING_TIMESTAMP_KEY);
    const encoded = encodeTask({ ...makeTask(), status: undefined }, MAX);
    expect(encoded).toMatchObject({ state: 0, sortKey: MISSING_TIMESTAMP_KEY });
  });

  it('keeps raw bytes exactly (base64 in the body)', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const task = makeTask({ historyLength: 1 });
    task.history[0]!.parts = [rawPart(bytes)];
    const encoded = encodeTask(task, MAX);
    const part = decodeTask(task.id, encoded.body, encoded.artifacts).history[0]!.parts[0]!;
    expect(part.content?.$case).toBe('raw');
    expect(Buffer.compare(part.content!.value as Buffer, Buffer.from(bytes))).toBe(0);
  });

  it('counts size in UTF-8 bytes and refuses over the limit with PayloadTooLargeError', () => {
    const task = makeTask({ historyLength: 0 });
    task.artifacts = [makeArtifact(0, [textPart('€'.repeat(1000))])];
    const { bytes } = encodeTask(task, MAX);
    expect(bytes).toBeGreaterThan(3000);
    expect(() => encodeTask(task, bytes)).not.toThrow();
    expect(() => encodeTask(task, bytes - 1)).toThrow(PayloadTooLargeError);
    try {
      encodeTask(task, 100);
    } catch (error) {
      expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', size: bytes, limit: 100 });
    }
  });

  it.each([
    ['a null task', null],
    ['an empty id', { ...makeTask(), id: '' }],
    ['a 256-character id', { ...makeTask(), id: 'x'.repeat(256) }],
    ['an id with NUL', { ...makeTask(), id: 'a\u0000b' }],
    ['an id with a lone surrogate', { ...makeTask(), id: 'a\ud800b' }],
    ['a 256-character contextId', { ...makeTask(), contextId: 'c'.repeat(256) }],
    [
      'an unknown state',
      { ...makeTask(), status: { state: 42, message: undefined, timestamp: undefined } },
    ],
    [
      'the UNRECOGNIZED state',
      { ...makeTask(), status: { state: -1, message: undefined, timestamp: undefined } },
    ],
    ['a BigInt in metadata', { ...makeTask(), metadata: { n: 1n } }],
  ])('refuses %s with InvalidInputError', (_, task) => {
    expect(() => encodeTask(task as never, MAX)).toThrow(InvalidInputError);
  });

  it('refuses circular metadata with InvalidInputError', () => {
    const metadata: Record<string, unknown> = {};
    metadata.self = metadata;
    expect(() => encodeTask({ ...makeTask(), metadata }, MAX)).toThrow(InvalidInputError);
  });

  it.each([
    ['a non-string body', 42, undefined],
    ['a body that is not JSON', '{"id":', undefined],
    ['a JSON array body', '[1,2]', undefined],
    ['a JSON null body', 'null', undefined],
    ['a body of another task', JSON.stringify({ id: 'someone-else' }), undefined],
    ['a body without id', JSON.stringify({ contextId: 'c' }), undefined],
    ['artifacts that are not text', JSON.stringify({ id: 't1' }), 7],
    ['artifacts that are not JSON', JSON.stringify({ id: 't1' }), '[{'],
    ['artifacts that are not an array', JSON.stringify({ id: 't1' }), '{"a":1}'],
    [
      'artifacts that are not decodable',
      JSON.stringify({ id: 't1' }),
      JSON.stringify([{ artifactId: 'a', parts: [{ raw: 5 }] }]),
    ],
    [
      'a history that is not decodable',
      JSON.stringify({ id: 't1', history: [{ parts: [{ raw: 5 }] }] }),
      undefined,
    ],
  ])('decode throws CorruptRecordError for %s', (_, body, artifacts) => {
    let error: unknown;
    try {
      decodeTask('t1', body, artifacts);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CorruptRecordError);
    expect(error).toMatchObject({ code: 'CORRUPT_RECORD', recordId: 't1' });
  });
});

describe('stored JSON errors', () => {
  it('name what was unreadable, and how', () => {
    const body = JSON.stringify({ id: 't1' });
    expect(() => decodeTask('t1', 42)).toThrow(/body is not text/);
    expect(() => decodeTask('t1', '{')).toThrow(/body is not JSON/);
    expect(() => decodeTask('t1', body, 7)).toThrow(/artifacts are not text/);
    expect(() => decodeTask('t1', body, '[{')).toThrow(/artifacts are not JSON/);
    expect(() => decodePushConfig('cfg', {})).toThrow(/push config is not text/);
    expect(() => decodePushConfig('cfg', '{')).toThrow(/push config is not JSON/);
  });
});

describe('push config codec', () => {
  it('round-trips a config with its wire version', () => {
    const config = makePushConfig('task-1', { id: 'cfg' });
    const encoded = encodePushConfig(config, '1.0', 16 * 1024);
    expect(encoded).toMatchObject({ id: 'cfg', wireVersion: '1.0' });
    expect(decodePushConfig('cfg', encoded.json)).toEqual(config);
  });

  it.each([
    ['an empty id', { id: '' }],
    ['a 256-character id', { id: 'x'.repeat(256) }],
    ['an empty url', { url: '' }],
    ['a non-string url', { url: 5 }],
  ])('refuses %s with InvalidInputError', (_, patch) => {
    const config = { ...makePushConfig('task-1', { id: 'cfg' }), ...patch };
    expect(() => encodePushConfig(config as never, '0.3', 16 * 1024)).toThrow(InvalidInputError);
  });

  it('refuses an over-size config with PayloadTooLargeError', () => {
    const config = makePushConfig('task-1', { id: 'cfg', token: 't'.repeat(2000) });
    expect(() => encodePushConfig(config, '0.3', 1024)).toThrow(PayloadTooLargeError);
  });

  it.each([
    ['non-text', 3],
    ['not JSON', '{'],
    ['null', 'null'],
    ['another id', JSON.stringify({ id: 'other', url: 'https://x.example' })],
  ])('decode throws CorruptRecordError for a %s record', (_, json) => {
    expect(() => decodePushConfig('cfg', json)).toThrow(CorruptRecordError);
  });
});

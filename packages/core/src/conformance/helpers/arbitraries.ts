import type { Artifact, Message, Part, Task, TaskStatus } from '@a2a-js/sdk';
import { assertValidId, MAX_ID_LENGTH } from '@a2a-stores/core';
import fc from 'fast-check';
import { isoAt } from './tasks.js';

/**
 * Units that break naive encoders: NUL and other controls, lone surrogates (JSON escapes them),
 * line separators, quotes, backslashes, key separators, hash-tag braces, SQL wildcards, astral
 * characters, combining marks.
 */
const AWKWARD_UNITS = [
  '\u0000',
  '\u0001',
  '\u001f',
  '\t',
  '\n',
  '\r',
  '\u2028',
  '\u2029',
  '\ud800',
  '\udfff',
  '\ufffd',
  '\ufeff',
  '"',
  "'",
  '`',
  '\\',
  ':',
  '|',
  '/',
  '{',
  '}',
  '%',
  '_',
  ';',
  '--',
  '$',
  '😀',
  '𝄞',
  'e\u0301',
  'İ',
  'ß',
];

/** Any text a JSON field may hold, awkward units included (they must survive the codecs). */
export function textArb(maxLength = 16): fc.Arbitrary<string> {
  return fc.string({
    unit: fc.oneof(
      { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
      { weight: 2, arbitrary: fc.constantFrom(...AWKWARD_UNITS) },
    ),
    maxLength,
  });
}

/** True when core's `assertValidId` accepts `value`: every adapter must then store it faithfully. */
export function isValidId(value: string): boolean {
  try {
    assertValidId(value, 'id');
    return true;
  } catch {
    return false;
  }
}

/** Units ids are built from: letters that differ only in case or composition, and separators. */
const ID_UNITS = [
  'a',
  'A',
  'b',
  'z',
  '0',
  '-',
  ' ',
  'é',
  'e\u0301',
  'Ω',
  'ß',
  '😀',
  '𝄞',
  ':',
  '|',
  '/',
  '{',
  '}',
  '%',
  '_',
  "'",
  '"',
  '\\',
  ';',
  '*',
  '.',
  '\t',
];

/** A short id that core accepts, made of lookalike letters and separators. */
export function shortIdArb(maxLength = 6): fc.Arbitrary<string> {
  return fc
    .string({
      unit: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...ID_UNITS) },
        { weight: 1, arbitrary: textArb(1).filter((s) => s.length > 0) },
      ),
      minLength: 1,
      maxLength,
    })
    .filter(isValidId);
}

/** Repeats `seed` to exactly `length` code units, keeping surrogate pairs whole. */
export function stretch(seed: string, length: number): string {
  const source = seed.length > 0 ? seed : 'x';
  let out = source.repeat(Math.ceil(length / source.length)).slice(0, length);
  if (!out.isWellFormed()) out = `${out.slice(0, -1)}x`;
  return out;
}

/** An id core accepts: mostly short, sometimes as long as allowed (255 code units). */
export function validIdArb(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: shortIdArb() },
    {
      weight: 1,
      arbitrary: fc
        .tuple(shortIdArb(), fc.integer({ min: 200, max: MAX_ID_LENGTH }))
        .map(([seed, length]) => stretch(seed, length)),
    },
  );
}

/** A context id core accepts, or the empty context. */
export function contextIdArb(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 5, arbitrary: validIdArb() },
  );
}

/** Any JSON value: unicode, NUL and lone surrogates in strings, empty and deep containers. */
export function jsonArb(): fc.Arbitrary<unknown> {
  const { json } = fc.letrec<{ json: unknown }>((tie) => ({
    json: fc.oneof(
      { depthSize: 'small', withCrossShrink: true, maxDepth: 6 },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(0, -1, 9_007_199_254_740_991, 1e308, 5e-324),
      textArb(),
      fc.array(tie('json'), { maxLength: 3 }),
      fc.dictionary(textArb(6), tie('json'), { maxKeys: 3, noNullPrototype: true }),
    ),
  }));
  return json;
}

/** A metadata object (`Struct`): absent, empty, or holding any JSON. */
export function metadataArb(): fc.Arbitrary<Record<string, unknown> | undefined> {
  return fc.option(fc.dictionary(textArb(8), jsonArb(), { maxKeys: 4, noNullPrototype: true }), {
    nil: undefined,
  });
}

/** A part of any kind (text, raw bytes, url, data, or no content at all). */
export function partArb(): fc.Arbitrary<Part> {
  const content = fc.oneof(
    textArb(40).map((value) => ({ $case: 'text' as const, value })),
    fc
      .uint8Array({ maxLength: 96 })
      .map((bytes) => ({ $case: 'raw' as const, value: Buffer.from(bytes) })),
    fc.webUrl().map((value) => ({ $case: 'url' as const, value })),
    jsonArb().map((value) => ({ $case: 'data' as const, value })),
    fc.constant(undefined),
  );
  return fc.record({
    content,
    metadata: metadataArb(),
    filename: textArb(8),
    mediaType: fc.constantFrom('', 'text/plain', 'application/json', 'application/octet-stream'),
  });
}

/** A history or status message. */
export function messageArb(): fc.Arbitrary<Message> {
  return fc.record({
    messageId: textArb(12),
    contextId: textArb(8),
    taskId: textArb(8),
    role: fc.constantFrom(0, 1, 2),
    parts: fc.array(partArb(), { maxLength: 3 }),
    metadata: metadataArb(),
    extensions: fc.array(textArb(10), { maxLength: 2 }),
    referenceTaskIds: fc.array(textArb(10), { maxLength: 2 }),
  });
}

/** An artifact with at least one part. */
export function artifactArb(): fc.Arbitrary<Artifact> {
  return fc.record({
    artifactId: textArb(10),
    name: textArb(10),
    description: textArb(20),
    parts: fc.array(partArb(), { minLength: 1, maxLength: 3 }),
    metadata: metadataArb(),
    extensions: fc.array(textArb(10), { maxLength: 2 }),
  });
}

/**
 * Status timestamps: ISO instants (before 1970 and after 9999 too), equal ones (ties), more
 * precise than milliseconds, with an offset, and strings no date parser accepts.
 */
export function timestampArb(): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: -3, max: 3 }).map((s) => isoAt(s * 1000)) },
    {
      weight: 2,
      arbitrary: fc
        .date({
          min: new Date(-62_000_000_000_000),
          max: new Date(250_000_000_000_000),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString()),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        undefined,
        '',
        'not a date',
        '2024-01-15T12:00:00.123456789Z',
        '2024-01-15T14:00:00+02:00',
        '1969-07-20T20:17:40Z',
      ),
    },
    { weight: 1, arbitrary: textArb(12) },
  );
}

/** A task status of any state, with or without a message and a timestamp. */
export function statusArb(): fc.Arbitrary<TaskStatus> {
  return fc.record({
    state: fc.integer({ min: 0, max: 8 }),
    message: fc.option(messageArb(), { nil: undefined }),
    timestamp: timestampArb(),
  });
}

/** What a task holds besides its id and context. */
export interface TaskContent {
  readonly status: TaskStatus | undefined;
  readonly history: readonly Message[];
  readonly artifacts: readonly Artifact[];
  readonly metadata: Record<string, unknown> | undefined;
}

/** Random task content (kept small so a run stays fast on a remote database). */
export function taskContentArb(
  sizes: { readonly history?: number; readonly artifacts?: number } = {},
): fc.Arbitrary<TaskContent> {
  return fc.record({
    status: fc.option(statusArb(), { nil: undefined, freq: 8 }),
    history: fc.array(messageArb(), { maxLength: sizes.history ?? 4 }),
    artifacts: fc.array(artifactArb(), { maxLength: sizes.artifacts ?? 3 }),
    metadata: metadataArb(),
  });
}

/** A task built from its parts (fresh arrays, so the store never aliases the generator's). */
export function buildTask(id: string, contextId: string, content: TaskContent): Task {
  return {
    id,
    contextId,
    status: content.status,
    history: [...content.history],
    artifacts: [...content.artifacts],
    metadata: content.metadata,
  };
}

/** A whole random task whose ids core accepts. */
export function taskArb(): fc.Arbitrary<Task> {
  return fc
    .tuple(validIdArb(), contextIdArb(), taskContentArb())
    .map(([id, contextId, content]) => buildTask(id, contextId, content));
}

import { Message, Part } from '@a2a-js/sdk';
import { copyPlain, equalsCopy } from './plain-data.js';

/**
 * The fields the SDK's wire encoder of a type reads, found by running it once on a recording
 * proxy. A unit equals its stored copy when these fields do: what else an object carries never
 * reaches the store. Read from the installed SDK, so a field a later SDK adds is compared too.
 */
function fieldsReadBy(toJSON: (value: never) => unknown): readonly string[] {
  const read = new Set<string>();
  const recorder = new Proxy(
    {},
    {
      get(_target, key) {
        if (typeof key === 'string') read.add(key);
        return undefined;
      },
    },
  );
  toJSON(recorder as never);
  return [...read];
}

const PART_FIELDS = fieldsReadBy(Part.toJSON);
const MESSAGE_FIELDS = fieldsReadBy(Message.toJSON);

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return value !== null && typeof value === 'object';
}

/** Part content (`{ $case, value }`): the encoder reads only those two. */
function copyContent(content: unknown): unknown {
  return isObject(content) ? { $case: content.$case, value: copyPlain(content.value) } : content;
}

function sameContent(content: unknown, copy: unknown): boolean {
  if (!isObject(content) || !isObject(copy)) return content === copy;
  if (content.$case !== copy.$case) return false;
  const value = content.value;
  return typeof value === 'string' ? value === copy.value : equalsCopy(value, copy.value);
}

function sameField(value: unknown, copy: unknown): boolean {
  return value === copy ? !isObject(copy) || equalsCopy(value, copy) : equalsCopy(value, copy);
}

/** A copy of a part as its encoder sees it. */
export function copyPart(part: unknown): unknown {
  if (!isObject(part)) return copyPlain(part);
  const out: Fields = {};
  for (const field of PART_FIELDS) {
    out[field] = field === 'content' ? copyContent(part.content) : copyPlain(part[field]);
  }
  return out;
}

/** `part` encodes as its stored copy did. Allocates nothing: runs for every stored part. */
export function samePart(part: unknown, copy: unknown): boolean {
  if (!isObject(part) || !isObject(copy)) return equalsCopy(part, copy);
  for (const field of PART_FIELDS) {
    const value = part[field];
    const stored = copy[field];
    if (field === 'content' ? !sameContent(value, stored) : !sameField(value, stored)) return false;
  }
  return true;
}

function sameParts(parts: unknown, copies: unknown): boolean {
  if (!Array.isArray(parts) || !Array.isArray(copies)) return equalsCopy(parts, copies);
  if (parts.length !== copies.length) return false;
  for (let i = 0; i < parts.length; i++) if (!samePart(parts[i], copies[i])) return false;
  return true;
}

/** A copy of a message as its encoder sees it. */
export function copyMessage(message: unknown): unknown {
  if (!isObject(message)) return copyPlain(message);
  const out: Fields = {};
  for (const field of MESSAGE_FIELDS) {
    const value = message[field];
    out[field] = field === 'parts' && Array.isArray(value) ? value.map(copyPart) : copyPlain(value);
  }
  return out;
}

/** `message` encodes as its stored copy did. */
export function sameMessage(message: unknown, copy: unknown): boolean {
  if (!isObject(message) || !isObject(copy)) return equalsCopy(message, copy);
  for (const field of MESSAGE_FIELDS) {
    const value = message[field];
    const stored = copy[field];
    if (field === 'parts' ? !sameParts(value, stored) : !sameField(value, stored)) return false;
  }
  return true;
}

/**
 * Makes a stored part's copy hold the very string `part` (decoded from the same stored
 * version) holds, so the next comparison of an unchanged part is a pointer check instead of a
 * scan of its text. False when the two do not line up (then the copy is not to be trusted).
 */
export function adoptPartText(copy: unknown, part: unknown): boolean {
  if (!isObject(copy) || !isObject(part)) return false;
  const stored = copy.content;
  const decoded = part.content;
  if (!isObject(stored) || !isObject(decoded)) return stored === decoded;
  if (stored.$case !== decoded.$case) return false;
  if (typeof stored.value !== 'string' || typeof decoded.value !== 'string') return true;
  if (stored.value.length !== decoded.value.length) return false;
  stored.value = decoded.value;
  return true;
}

/** {@link adoptPartText} for every part of a message. */
export function adoptMessageText(copy: unknown, message: unknown): boolean {
  if (!isObject(copy) || !isObject(message)) return false;
  const copies = copy.parts;
  const parts = message.parts;
  if (!Array.isArray(copies) || !Array.isArray(parts)) return copies === parts;
  if (copies.length !== parts.length) return false;
  for (let i = 0; i < parts.length; i++) if (!adoptPartText(copies[i], parts[i])) return false;
  return true;
}

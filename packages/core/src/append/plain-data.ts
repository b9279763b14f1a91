/**
 * Copies and comparisons of the values a task is made of (SDK messages, parts, metadata): plain
 * objects, arrays, primitives and byte arrays. A copy shares nothing mutable with its source, so
 * a caller editing a saved message in place is seen as a change, never missed.
 */

/** Stands for a value this module does not copy (a Date, a Map, a class instance). */
const OPAQUE: unique symbol = Symbol('opaque');

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A deep copy of `value`. Strings are shared (they are immutable); anything that is not plain
 * data copies as a marker that equals nothing, so a task holding one is never proved unchanged.
 */
export function copyPlain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyPlain(value[i]);
    return out;
  }
  if (value instanceof Uint8Array) return Uint8Array.prototype.slice.call(value);
  if (!isPlainObject(value)) return OPAQUE;
  // No prototype: a `__proto__` key in user data stays an ordinary property.
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value)) out[key] = copyPlain(value[key]);
  return out;
}

/**
 * True when `value` (what a caller hands in now) equals `copy` (a {@link copyPlain} of what was
 * stored). An own property holding `undefined` equals a missing one, as JSON encodes both alike.
 */
export function equalsCopy(value: unknown, copy: unknown): boolean {
  if (value === copy) return copy !== OPAQUE;
  if (value === null || copy === null || typeof value !== 'object' || typeof copy !== 'object') {
    return false;
  }
  if (Array.isArray(value)) {
    if (!Array.isArray(copy) || copy.length !== value.length) return false;
    for (let i = 0; i < value.length; i++) if (!equalsCopy(value[i], copy[i])) return false;
    return true;
  }
  if (value instanceof Uint8Array) {
    return copy instanceof Uint8Array && Buffer.compare(value, copy) === 0;
  }
  if (Array.isArray(copy) || copy instanceof Uint8Array || !isPlainObject(value)) return false;
  const source = value as Record<string, unknown>;
  const stored = copy as Record<string, unknown>;
  let defined = 0;
  for (const key of Object.keys(source)) {
    const item = source[key];
    if (item === undefined) continue;
    defined += 1;
    if (!equalsCopy(item, stored[key])) return false;
  }
  let storedDefined = 0;
  for (const key of Object.keys(stored)) if (stored[key] !== undefined) storedDefined += 1;
  return defined === storedDefined;
}

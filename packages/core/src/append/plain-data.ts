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

/** How many keys a copied object has (its `undefined` values are left out of the copy). */
const KEY_COUNT: unique symbol = Symbol('keyCount');

type CopiedObject = Record<string, unknown> & { [KEY_COUNT]: number };

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
  const out = {} as CopiedObject;
  let count = 0;
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (item === undefined) continue;
    // An own `__proto__` key (JSON.parse makes them) stays data instead of setting the prototype.
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value: copyPlain(item), enumerable: true, writable: true });
    } else out[key] = copyPlain(item);
    count += 1;
  }
  out[KEY_COUNT] = count;
  return out;
}

/**
 * True when `value` (what a caller hands in now) equals `copy` (a {@link copyPlain} of what was
 * stored). An own property holding `undefined` equals a missing one, as JSON encodes both alike.
 * Runs once per stored unit on every save, so it allocates nothing.
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
  const stored = copy as CopiedObject;
  if (stored[KEY_COUNT] === undefined || !isPlainObject(value)) return false;
  const source = value as Record<string, unknown>;
  let defined = 0;
  for (const key of Object.keys(source)) {
    const item = source[key];
    if (item === undefined) continue;
    defined += 1;
    if (!equalsCopy(item, Object.hasOwn(stored, key) ? stored[key] : undefined)) return false;
  }
  return defined === stored[KEY_COUNT];
}

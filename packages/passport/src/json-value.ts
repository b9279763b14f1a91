/** A JSON scalar. */
export type JsonPrimitive = string | number | boolean | null;
/** Any JSON value. */
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
/** A JSON object, like the passport's free-form `state`. */
export type JsonObject = { [key: string]: JsonValue };

/** Bounds of {@link copyJsonObject}. */
export interface JsonBounds {
  readonly maxDepth: number;
  readonly maxValues: number;
}

/** Thrown by {@link copyJsonObject}; the message names the path, never a value. */
export class JsonShapeError extends Error {}

/**
 * Copies `value` into fresh plain objects and arrays, refusing anything that is not JSON: class
 * instances, `undefined`, functions, symbols, bigint, non-finite numbers, sparse arrays, lone
 * surrogates (they would encode to the same UTF-8 bytes as U+FFFD, so two different states could
 * share one signature), and input deeper or larger than `bounds` (cycles end there too).
 * The copy is what gets signed and verified, so nothing the caller keeps can change it later.
 */
export function copyJsonObject(value: unknown, bounds: JsonBounds, path = 'state'): JsonObject {
  const counter = { values: 0 };
  if (!isPlainObject(value)) throw new JsonShapeError(`${path} must be a JSON object`);
  return copyObject(value, bounds, counter, 1, path);
}

function copyValue(
  value: unknown,
  bounds: JsonBounds,
  counter: { values: number },
  depth: number,
  path: string,
): JsonValue {
  counter.values += 1;
  if (counter.values > bounds.maxValues) {
    throw new JsonShapeError(`state has more than ${bounds.maxValues} values`);
  }
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (!value.isWellFormed()) throw new JsonShapeError(`${path} contains a lone surrogate`);
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new JsonShapeError(`${path} is not a finite number`);
    // -0 and 0 canonicalize alike; keep one spelling so copies compare equal.
    return value === 0 ? 0 : value;
  }
  if (depth >= bounds.maxDepth)
    throw new JsonShapeError(`${path} is nested deeper than ${bounds.maxDepth}`);
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (let index = 0; index < value.length; index += 1) {
      if (!Object.hasOwn(value, index)) throw new JsonShapeError(`${path}[${index}] is a hole`);
      out.push(copyValue(value[index], bounds, counter, depth + 1, `${path}[${index}]`));
    }
    return out;
  }
  if (isPlainObject(value)) return copyObject(value, bounds, counter, depth + 1, path);
  throw new JsonShapeError(`${path} is not a JSON value`);
}

function copyObject(
  value: Record<string, unknown>,
  bounds: JsonBounds,
  counter: { values: number },
  depth: number,
  path: string,
): JsonObject {
  if (Object.getOwnPropertySymbols(value).length > 0)
    throw new JsonShapeError(`${path} has symbol keys`);
  const out: JsonObject = {};
  for (const key of Object.keys(value)) {
    if (!key.isWellFormed()) throw new JsonShapeError(`${path} has a key with a lone surrogate`);
    const child = copyValue(value[key], bounds, counter, depth, `${path}.${key.slice(0, 64)}`);
    // defineProperty, not assignment: a "__proto__" key from JSON.parse stays data, never a prototype.
    Object.defineProperty(out, key, {
      value: child,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** True for `{}`-like objects (prototype Object.prototype or null), false for arrays and instances. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Freezes a JSON value all the way down (our own copies only). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

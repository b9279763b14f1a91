import canonicalizeModule from 'canonicalize';
import type { JsonValue } from './json-value.js';

type Canonicalize = (input: unknown) => string | undefined;

// canonicalize is CommonJS (`module.exports = fn`) typed with `export default`. At runtime the
// default import is the function (Node ESM, tsup's CJS interop, vitest); under NodeNext TypeScript
// types it as the module namespace, hence the defensive unwrap.
const moduleValue = canonicalizeModule as unknown as Canonicalize | { default: Canonicalize };
const canonicalize: Canonicalize =
  typeof moduleValue === 'function' ? moduleValue : moduleValue.default;

/** RFC 8785 (JCS) canonical JSON of a JSON value, via the maintained `canonicalize` package. */
export function canonicalJson(value: JsonValue): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

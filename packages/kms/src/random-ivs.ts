import { randomBytes } from 'node:crypto';
import { IV_BYTES } from './envelope-format.js';

/**
 * `count` fresh random 96-bit IVs for AES-GCM, from one CSPRNG call: a call has a fixed cost of
 * microseconds whatever its size, so a record's fields share one draw. No output is kept between
 * records, so no IV can outlive the call that needed it (e.g. in a startup snapshot).
 */
export function randomIvs(count: number): Buffer[] {
  const source = randomBytes(count * IV_BYTES);
  const ivs: Buffer[] = [];
  for (let at = 0; at < source.length; at += IV_BYTES) ivs.push(source.subarray(at, at + IV_BYTES));
  return ivs;
}

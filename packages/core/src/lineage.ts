import { randomBytes } from 'node:crypto';

// A random prefix per process and a counter: unique across processes without a random draw
// (a syscall) per write.
const processPrefix = randomBytes(9).toString('base64url');
let counter = 0;

/** A value unique to one full task write, across processes and restarts (see EncodedTask). */
export function newLineage(): string {
  counter += 1;
  return `${processPrefix}${counter.toString(36)}`;
}

import { readFile } from 'node:fs/promises';
import type { Scope } from '@a2a-stores/core';
import { UsageError } from './exit-codes.js';

/**
 * Reads the scopes `rotate-keys` walks. The store contract has no cross-scope enumeration, so
 * the operator lists them: a JSON array of `{ "tenant": "...", "owner": "..." }`, or one such
 * object per line (JSON Lines, what `psql -At` or `mysql -N` print for a `json_object` query).
 * `-` reads standard input. Duplicates are dropped, the order is kept (a checkpoint counts
 * scopes by position, so resume with the same file).
 */
export async function readScopes(path: string, stdin: () => Promise<string>): Promise<Scope[]> {
  let text: string;
  try {
    text = path === '-' ? await stdin() : await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--scopes-file: cannot read ${path} (${(error as Error).message})`);
  }
  const trimmed = text.trim();
  let items: unknown[];
  try {
    items = trimmed.startsWith('[')
      ? (JSON.parse(trimmed) as unknown[])
      : trimmed
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as unknown);
  } catch (error) {
    throw new UsageError(
      `--scopes-file: ${path} is not JSON or JSON Lines (${(error as Error).message})`,
    );
  }
  const seen = new Set<string>();
  const scopes: Scope[] = [];
  items.forEach((item, i) => {
    const { tenant, owner } = (item ?? {}) as { tenant?: unknown; owner?: unknown };
    if (typeof tenant !== 'string' || typeof owner !== 'string') {
      throw new UsageError(
        `--scopes-file: entry ${i + 1} must be { "tenant": string, "owner": string } ('' for none)`,
      );
    }
    const key = JSON.stringify([tenant, owner]);
    if (seen.has(key)) return;
    seen.add(key);
    scopes.push({ tenant, owner });
  });
  if (scopes.length === 0) throw new UsageError(`--scopes-file: ${path} lists no scope`);
  return scopes;
}

/** All of standard input as text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

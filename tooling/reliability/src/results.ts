import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where each check writes its figures (gitignored); `docs/reliability.md` quotes them. */
export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/**
 * Writes `results/<name>.json` (with the time of the run) and prints it, so a CI log carries the
 * figures even when the file is not kept.
 */
export function writeResult(name: string, figures: Record<string, unknown>): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const record = { check: name, finishedAt: new Date().toISOString(), ...figures };
  const text = JSON.stringify(record, null, 2);
  writeFileSync(join(RESULTS_DIR, `${name}.json`), `${text}\n`);
  console.log(`[reliability] ${name}: ${JSON.stringify(figures)}`);
}

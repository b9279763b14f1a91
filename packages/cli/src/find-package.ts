import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The folder of package `name` as Node would find it from `fromDir`: the first
 * `node_modules/<name>/package.json` walking up. Looks at the file system only, so it works
 * whatever the package's `exports` map allows `require.resolve` to see.
 */
export function findInstalledPackage(name: string, fromDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

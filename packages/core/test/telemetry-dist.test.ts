import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function probe(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();
}

// Bundlers rewrite `require` and `import.meta`; only the built files show the API is found.
describe('the built package resolves @opentelemetry/api itself', () => {
  it('has been built (turbo runs build before test)', () => {
    expect(existsSync(`${root}dist/index.cjs`), 'run pnpm build first').toBe(true);
  });

  it('from the CommonJS build', () => {
    const script = "console.log(typeof require('./dist/index.cjs').openTelemetryApi()?.trace)";
    expect(probe(['-e', script])).toBe('object');
  });

  it('from the ESM build', () => {
    const script =
      "const c = await import('./dist/index.js'); console.log(typeof c.openTelemetryApi()?.trace)";
    expect(probe(['--input-type=module', '-e', script])).toBe('object');
  });
});

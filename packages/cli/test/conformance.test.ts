import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runBin } from './run-bin.js';

const customHarness = fileURLToPath(
  new URL('../../../examples/custom-adapter/src/harness.ts', import.meta.url),
);
const forgetfulHarness = fileURLToPath(new URL('./fixtures/forgetful-harness.ts', import.meta.url));

function leftovers(modulePath: string): string[] {
  return readdirSync(dirname(modulePath)).filter((n) => n.startsWith('.a2a-stores-conformance-'));
}

describe('a2a-stores conformance --module', () => {
  it('passes for the example third-party adapter, reporting counts as JSON', async () => {
    expect(existsSync(customHarness)).toBe(true);
    const run = await runBin(['conformance', '--module', customHarness, '--json'], {
      cwd: dirname(customHarness),
    });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ ok: true, failed: 0 });
    expect(summary.passed).toBeGreaterThanOrEqual(60);
    expect(leftovers(customHarness)).toEqual([]);
    // No line may point at a report in the temporary folder, which is gone by now.
    expect(run.stdout + run.stderr).not.toMatch(/report written to .*\.a2a-stores-conformance-/);
  }, 180_000);

  it('exits 1 for an adapter that loses writes', async () => {
    const run = await runBin(['conformance', '--module', forgetfulHarness, '--json']);
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout);
    expect(summary.ok).toBe(false);
    expect(summary.failed).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/conformance failed/);
    expect(leftovers(forgetfulHarness)).toEqual([]);
  }, 180_000);

  it('exits 5 and says what to install when @a2a-stores/core is not installed there', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'a2a-stores-no-core-'));
    try {
      const harness = join(outside, 'harness.mjs');
      writeFileSync(harness, 'export const harness = { name: "x", create: () => ({}) };\n');
      const run = await runBin(['conformance', '--module', harness], { cwd: outside });
      expect(run.code).toBe(5);
      expect(run.stderr).toMatch(/npm install -D @a2a-stores\/core/);
      expect(leftovers(harness)).toEqual([]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('refuses a module that does not exist with exit 2', async () => {
    const run = await runBin(['conformance', '--module', './no-such-adapter.js']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/does not exist/);
  });
});

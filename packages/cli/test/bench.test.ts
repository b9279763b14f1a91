import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runBin } from './run-bin.js';

const outside = mkdtempSync(join(tmpdir(), 'a2a-stores-cli-bench-'));
afterAll(() => rmSync(outside, { recursive: true, force: true }));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('a2a-stores bench', () => {
  it('outside an a2a-stores checkout, explains where the harness lives (exit 5)', async () => {
    const run = await runBin(['bench', '--quick'], { cwd: outside });
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/tooling\/bench.*not published: clone the repository/);
  });

  it('inside the checkout, hands its options to the harness and reports its failure', async () => {
    // An unknown backend makes the harness stop while parsing options, before any connection.
    const run = await runBin(['bench', '--backends', 'no-such-backend'], { cwd: packageDir });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/running the benchmark harness in .*tooling\/bench/);
    expect(run.stderr).toMatch(/no-such-backend/);
    expect(run.stderr).toMatch(/the benchmark harness exited with 1/);
  });

  it('has its own help topic', async () => {
    const run = await runBin(['bench', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/benchmark harness of the a2a-stores repository/);
  });
});

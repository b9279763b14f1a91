#!/usr/bin/env node
// Runs every package's tests through turbo, then prints one closing line summed over all packages
// from the JSON reports the shared vitest preset writes, so a run that executed no test is
// visible at a glance. Exit code is turbo's, or 1 when no test ran at all.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const workspaces = ['packages', 'tooling', 'examples'].flatMap((dir) =>
  existsSync(join(root, dir))
    ? readdirSync(join(root, dir)).map((name) => join(root, dir, name))
    : [],
);
const reportOf = (ws) => join(ws, 'test-results', 'vitest.json');
for (const ws of workspaces) rmSync(reportOf(ws), { force: true });

const args = ['exec', 'turbo', 'run', 'test', '--concurrency=1', ...process.argv.slice(2)];
const run = spawnSync('pnpm', args, { cwd: root, stdio: 'inherit' });

let passed = 0;
let failed = 0;
let skipped = 0;
for (const ws of workspaces) {
  if (!existsSync(reportOf(ws))) continue;
  const report = JSON.parse(readFileSync(reportOf(ws), 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
const code = run.status ?? 1;
process.exit(code !== 0 ? code : passed === 0 ? 1 : failed > 0 ? 1 : 0);

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pipeRedacted } from '../child-output.js';
import { CliError, ExitCode, UsageError } from '../exit-codes.js';
import { findInstalledPackage } from '../find-package.js';
import type { Output } from '../output.js';

/** Arguments of `conformance`. */
export interface ConformanceArgs {
  readonly modulePath: string;
  readonly exportName: string;
  readonly json: boolean;
}

/** The counts vitest's JSON reporter gives for the run. */
export interface ConformanceSummary {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly total: number;
}

/**
 * `conformance --module ./my-adapter.js`: runs the published suite against the harness the
 * module exports. The suite registers vitest tests, so it must run inside vitest: the CLI writes
 * a one-line test file (and a config) into a temporary folder next to the module, so that
 * `@a2a-stores/core/conformance` and vitest resolve from the user's own project exactly as they
 * would in the user's tests, and runs `vitest run` on it in a child process. TypeScript modules
 * work too (vitest transforms them).
 */
export async function runConformance(
  args: ConformanceArgs,
  out: Output,
  cwd: string,
): Promise<void> {
  const modulePath = resolve(cwd, args.modulePath);
  if (!existsSync(modulePath)) throw new UsageError(`--module: ${modulePath} does not exist`);
  const moduleDir = dirname(modulePath);
  const vitestBin = resolveVitestBin(moduleDir);
  // The generated test file imports the suite from next to the module: without core there,
  // vitest would fail with its own import error (exit 1) instead of saying what to install.
  if (findInstalledPackage('@a2a-stores/core', moduleDir) === undefined) {
    throw new CliError(
      ExitCode.adapterMissing,
      `conformance needs @a2a-stores/core installed where ${args.modulePath} is (the suite is its @a2a-stores/core/conformance export): npm install -D @a2a-stores/core`,
    );
  }
  const workDir = await mkdtemp(join(moduleDir, '.a2a-stores-conformance-'));
  try {
    await writeFile(join(workDir, 'conformance.test.mjs'), testFile(modulePath, args.exportName));
    await writeFile(
      join(workDir, 'vitest.config.mjs'),
      `export default { test: { include: ['conformance.test.mjs'], testTimeout: 60000, hookTimeout: 120000 } };\n`,
    );
    const reportFile = join(workDir, 'report.json');
    const vitestArgs = [
      vitestBin,
      'run',
      '--root',
      workDir,
      '--config',
      join(workDir, 'vitest.config.mjs'),
      '--reporter',
      args.json ? 'dot' : 'default',
      '--reporter',
      'json',
      '--outputFile.json',
      reportFile,
    ];
    const code = await runChild(process.execPath, vitestArgs, workDir, out);
    const summary = await readSummary(reportFile);
    out.result({ module: modulePath, ok: code === 0, ...summary });
    if (summary !== undefined) {
      out.line(
        `conformance: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped of ${summary.total}`,
      );
    }
    if (code !== 0) {
      throw new CliError(ExitCode.failed, `conformance failed for ${modulePath}`);
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

function testFile(modulePath: string, exportName: string): string {
  const url = pathToFileURL(modulePath).href;
  return `import { runStoreConformance } from '@a2a-stores/core/conformance';
import * as adapter from ${JSON.stringify(url)};

const harness = adapter[${JSON.stringify(exportName)}] ?? adapter.default;
if (!harness || typeof harness.create !== 'function') {
  throw new Error(${JSON.stringify(`${modulePath} must export a StoreHarness as "${exportName}" or as default`)});
}
runStoreConformance(harness);
`;
}

/** vitest from the user's project first, else the one installed next to the CLI. */
function resolveVitestBin(moduleDir: string): string {
  for (const base of [join(moduleDir, 'noop.js'), import.meta.url]) {
    try {
      const packageJson = createRequire(base).resolve('vitest/package.json');
      return join(dirname(packageJson), 'vitest.mjs');
    } catch {
      // try the next place
    }
  }
  throw new CliError(
    ExitCode.adapterMissing,
    'conformance needs vitest (and @a2a-stores/core) installed in your project: npm install -D vitest @a2a-stores/core',
  );
}

/**
 * vitest's note about the JSON report names a file in the temporary folder, which is removed
 * when the run ends: the line would point at nothing, so it is dropped.
 */
const REPORT_NOTE = /JSON report written to /;

function runChild(command: string, argv: string[], cwd: string, out: Output): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    // The child's output is piped through Output (redaction); under --json, stdout belongs to
    // the JSON document, so vitest's own output goes to stderr.
    const child = spawn(command, argv, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' },
    });
    const copied = Promise.all([
      pipeRedacted(child.stdout, out, out.json ? 'stderr' : 'stdout', REPORT_NOTE),
      pipeRedacted(child.stderr, out, 'stderr', REPORT_NOTE),
    ]);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const exit = signal !== null ? 1 : (code ?? 1);
      copied.then(() => resolvePromise(exit), reject);
    });
  });
}

async function readSummary(reportFile: string): Promise<ConformanceSummary | undefined> {
  try {
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests?: number;
      numTotalTests: number;
    };
    return {
      passed: report.numPassedTests,
      failed: report.numFailedTests,
      skipped: report.numPendingTests + (report.numTodoTests ?? 0),
      total: report.numTotalTests,
    };
  } catch {
    return undefined;
  }
}

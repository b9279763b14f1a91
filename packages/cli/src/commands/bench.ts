import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pipeRedacted } from '../child-output.js';
import { CliError, ExitCode } from '../exit-codes.js';
import type { Output } from '../output.js';

/** Arguments of `bench`: passed through to the harness untouched. */
export interface BenchArgs {
  readonly args: readonly string[];
}

const BENCH_PACKAGE = '@a2a-stores/bench';

/**
 * `bench`: the benchmark harness is not published (it needs the repository's test backends and
 * writes reports next to it), so the CLI finds it in the a2a-stores checkout it runs in, walking
 * up from the working directory to a folder holding `tooling/bench`, and runs it with the
 * options given. Outside a checkout it says how to get one (exit code 5).
 */
export async function runBench(args: BenchArgs, out: Output, cwd: string): Promise<void> {
  const benchDir = findBench(cwd);
  if (benchDir === undefined) {
    throw new CliError(
      ExitCode.adapterMissing,
      'bench runs the benchmark harness of the a2a-stores repository (tooling/bench), which is not published: clone the repository, run `pnpm install`, then `pnpm bench -- --quick` (or `a2a-stores bench --quick`) inside it',
    );
  }
  let tsxCli: string;
  try {
    const require = createRequire(join(benchDir, 'package.json'));
    tsxCli = join(dirname(require.resolve('tsx/package.json')), 'dist', 'cli.mjs');
  } catch (error) {
    throw new CliError(
      ExitCode.adapterMissing,
      `found ${benchDir} but its dependencies are not installed: run \`pnpm install\` in the repository`,
      { cause: error },
    );
  }
  out.line(`running the benchmark harness in ${benchDir}`);
  const code = await new Promise<number>((resolvePromise, reject) => {
    // Under --json the harness's own lines go to stderr; it writes its reports to files.
    // Its output is piped through Output (redaction): it may quote the database URLs it uses.
    const child = spawn(process.execPath, [tsxCli, 'src/main.ts', ...args.args], {
      cwd: benchDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const copied = Promise.all([
      pipeRedacted(child.stdout, out, out.json ? 'stderr' : 'stdout'),
      pipeRedacted(child.stderr, out, 'stderr'),
    ]);
    child.on('error', reject);
    child.on('close', (exit, signal) => {
      const status = signal !== null ? 1 : (exit ?? 1);
      copied.then(() => resolvePromise(status), reject);
    });
  });
  out.result({ benchDir, ok: code === 0, exitCode: code });
  if (code !== 0) throw new CliError(ExitCode.failed, `the benchmark harness exited with ${code}`);
}

function findBench(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'tooling', 'bench');
    const manifest = join(candidate, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (
          (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === BENCH_PACKAGE
        ) {
          return candidate;
        }
      } catch {
        // not ours: keep walking up
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

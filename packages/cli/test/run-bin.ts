import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI, as users run it. `pnpm test` builds it first (turbo: test dependsOn build). */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

export interface BinRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `a2a-stores ...args` in a child process and waits for it to exit. */
export function runBin(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<BinRun> {
  if (!existsSync(BIN))
    throw new Error(`${BIN} is missing: run \`pnpm --filter @a2a-stores/cli build\``);
  const env = { ...process.env, ...options.env };
  if (options.env && !('A2A_STORE_URL' in options.env)) delete env.A2A_STORE_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: options.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

import { readFileSync } from 'node:fs';
import { type Command, parseCommandLine } from './args.js';
import { classifyError } from './classify-error.js';
import { runBench } from './commands/bench.js';
import { runConformance } from './commands/conformance.js';
import { runMigrate, runMigrateStatus } from './commands/migrate.js';
import { runPurge } from './commands/purge.js';
import { runRotateKeys } from './commands/rotate-keys.js';
import { ExitCode, type ExitCodeValue, UsageError } from './exit-codes.js';
import { hasHelpTopic, helpText } from './help.js';
import { type CliStreams, Output } from './output.js';

/** What the CLI runs with: injected so it can be driven from a test or another tool. */
export interface CliEnvironment {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly streams: CliStreams;
}

/** Runs one command line and resolves its exit code; never throws. */
export async function runCli({ argv, env, cwd, streams }: CliEnvironment): Promise<ExitCodeValue> {
  const json = argv.includes('--json');
  // Known before parsing, so even a usage error about the URL is scrubbed of its password.
  const secretUrl = urlArgument(argv) ?? env.A2A_STORE_URL;
  // Every argument too: a URL given positionally by mistake is quoted in the usage error.
  const out = new Output(streams, json, secretUrl, [
    ...argv,
    ...(env.A2A_STORE_URL === undefined ? [] : [env.A2A_STORE_URL]),
  ]);
  let command: Command;
  try {
    command = parseCommandLine(argv, env);
  } catch (error) {
    return fail(out, classifyError(error));
  }
  try {
    await dispatch(command, out, cwd, streams);
    return ExitCode.ok;
  } catch (error) {
    return fail(out, classifyError(error));
  }
}

async function dispatch(
  command: Command,
  out: Output,
  cwd: string,
  streams: CliStreams,
): Promise<void> {
  switch (command.name) {
    case 'help':
      if (command.topic !== undefined && !hasHelpTopic(command.topic)) {
        throw new UsageError(`no help for ${JSON.stringify(command.topic)}`);
      }
      streams.stdout.write(`${helpText(command.topic)}\n`);
      return;
    case 'version':
      streams.stdout.write(`${cliVersion()}\n`);
      return;
    case 'migrate':
      return runMigrate(command, out);
    case 'migrate-status':
      return runMigrateStatus(command, out);
    case 'purge':
      return runPurge(command, out);
    case 'conformance':
      return runConformance(command, out, cwd);
    case 'rotate-keys':
      return runRotateKeys(command, out);
    case 'bench':
      return runBench(command, out, cwd);
  }
}

function fail(out: Output, error: { exitCode: ExitCodeValue; message: string }): ExitCodeValue {
  out.error(error.message);
  if (error.exitCode === ExitCode.usage) out.error('run `a2a-stores help` for usage');
  out.result({ ok: false, exitCode: error.exitCode, error: error.message });
  return error.exitCode;
}

function urlArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--url') return argv[i + 1];
    if (arg.startsWith('--url=')) return arg.slice('--url='.length);
  }
  return undefined;
}

function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

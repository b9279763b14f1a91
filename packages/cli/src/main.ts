import { readFileSync } from 'node:fs';
import { type Command, parseCommandLine } from './args.js';
import { classifyError } from './classify-error.js';
import { runBench } from './commands/bench.js';
import { runConformance } from './commands/conformance.js';
import { runMigrate, runMigrateStatus } from './commands/migrate.js';
import { runMigrateSql } from './commands/migrate-sql.js';
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
  if (command.name === 'usage') {
    streams.stderr.write(`${helpText(undefined)}\n`);
    return ExitCode.usage;
  }
  try {
    return (await dispatch(command, out, cwd, streams)) ?? ExitCode.ok;
  } catch (error) {
    return fail(out, classifyError(error));
  }
}

/** Runs the command; resolves an exit code when it is not `ok` without an error (a gate). */
async function dispatch(
  command: Exclude<Command, { name: 'usage' }>,
  out: Output,
  cwd: string,
  streams: CliStreams,
): Promise<ExitCodeValue | undefined> {
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
      await runMigrate(command, out);
      return undefined;
    case 'migrate-sql':
      await runMigrateSql(command, out);
      return undefined;
    case 'migrate-status':
      return runMigrateStatus(command, out);
    case 'purge':
      await runPurge(command, out);
      return undefined;
    case 'conformance':
      await runConformance(command, out, cwd);
      return undefined;
    case 'rotate-keys':
      await runRotateKeys(command, out);
      return undefined;
    case 'bench':
      await runBench(command, out, cwd);
      return undefined;
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

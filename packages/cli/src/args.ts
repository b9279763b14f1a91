import { type ParseArgsConfig, parseArgs } from 'node:util';
import { parseDuration } from './duration.js';
import { UsageError } from './exit-codes.js';
import type { KeyringSource } from './keyring-source.js';
import type { TargetNaming } from './open-target.js';
import { parseStateNames } from './task-state-names.js';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

const TARGET_OPTIONS = {
  url: { type: 'string' },
  schema: { type: 'string' },
  'table-prefix': { type: 'string' },
  'key-prefix': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

/** What the operator asked for, validated. */
export type Command =
  | { readonly name: 'help'; readonly topic?: string }
  /** No command at all: the usage goes to stderr and the run ends with the usage exit code. */
  | { readonly name: 'usage' }
  | { readonly name: 'version' }
  | (TargetArgs & { readonly name: 'migrate'; readonly dryRun: boolean })
  | (TargetArgs & { readonly name: 'migrate-status' })
  | {
      readonly name: 'migrate-sql';
      readonly dialect: SqlDialect;
      readonly naming: TargetNaming;
      readonly json: boolean;
    }
  | (TargetArgs & {
      readonly name: 'purge';
      readonly dryRun: boolean;
      readonly olderThanMs: number;
      readonly states?: readonly number[];
      readonly batchSize?: number;
    })
  | (TargetArgs & {
      readonly name: 'rotate-keys';
      readonly keyring: KeyringSource;
      readonly scopesFile: string;
      readonly checkpointFile?: string;
      readonly batchSize?: number;
    })
  | { readonly name: 'bench'; readonly json: boolean; readonly args: readonly string[] }
  | {
      readonly name: 'conformance';
      readonly json: boolean;
      readonly modulePath: string;
      readonly exportName: string;
    };

/** The SQL engines `migrate --sql` writes a script for. */
export type SqlDialect = 'postgres' | 'mysql' | 'sqlite';

const DIALECTS: Readonly<Record<string, SqlDialect>> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  sqlite: 'sqlite',
};

/** The target and how its output is shown. */
export interface TargetArgs {
  /** Raw target URL (secret; only ever printed through `redactUrl`). */
  readonly url: string;
  readonly naming: TargetNaming;
  readonly json: boolean;
}

/** Parses `argv` (without node and the script); `env` supplies `A2A_STORE_URL`. */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      return { name: 'usage' };
    case 'help':
    case '--help':
    case '-h':
      return { name: 'help', topic: rest[0] };
    case 'version':
    case '--version':
    case '-v':
      return { name: 'version' };
    case 'migrate':
      return parseMigrate(rest, env);
    case 'purge':
      return parsePurge(rest, env);
    case 'conformance':
      return parseConformance(rest);
    case 'rotate-keys':
      return parseRotateKeys(rest, env);
    case 'bench':
      return parseBench(rest);
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}; try \`a2a-stores help\``);
  }
}

function parse<O extends OptionSpec>(args: readonly string[], options: O, maxPositionals: number) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(parsed.positionals[maxPositionals])}`,
    );
  }
  return parsed;
}

function targetArgs(
  values: { [K in keyof typeof TARGET_OPTIONS]?: string | boolean },
  env: NodeJS.ProcessEnv,
): TargetArgs {
  const url = (values.url as string | undefined) ?? env.A2A_STORE_URL;
  if (url === undefined || url.trim() === '') {
    throw new UsageError('no target: pass --url or set A2A_STORE_URL');
  }
  return {
    url,
    json: values.json === true,
    naming: {
      schema: values.schema as string | undefined,
      tablePrefix: values['table-prefix'] as string | undefined,
      keyPrefix: values['key-prefix'] as string | undefined,
    },
  };
}

function parseMigrate(args: readonly string[], env: NodeJS.ProcessEnv): Command {
  const { values, positionals } = parse(
    args,
    {
      ...TARGET_OPTIONS,
      'dry-run': { type: 'boolean' },
      sql: { type: 'boolean' },
      dialect: { type: 'string' },
    },
    1,
  );
  if (values.help) return { name: 'help', topic: 'migrate' };
  const sub = positionals[0];
  if (values.sql) {
    if (sub !== undefined || values['dry-run'] || values.url !== undefined) {
      throw new UsageError('migrate --sql works offline: no subcommand, --dry-run or --url');
    }
    const dialect = DIALECTS[String(values.dialect ?? '').toLowerCase()];
    if (dialect === undefined) {
      throw new UsageError('migrate --sql needs --dialect postgres, mysql or sqlite');
    }
    return {
      name: 'migrate-sql',
      dialect,
      json: values.json === true,
      naming: {
        schema: values.schema as string | undefined,
        tablePrefix: values['table-prefix'] as string | undefined,
      },
    };
  }
  if (values.dialect !== undefined) throw new UsageError('--dialect goes with --sql');
  if (sub !== undefined && sub !== 'status') {
    throw new UsageError(`migrate: unknown subcommand ${JSON.stringify(sub)} (only "status")`);
  }
  if (sub === 'status') {
    if (values['dry-run']) throw new UsageError('migrate status: --dry-run does not apply');
    return { name: 'migrate-status', ...targetArgs(values, env) };
  }
  return { name: 'migrate', dryRun: values['dry-run'] === true, ...targetArgs(values, env) };
}

function parsePurge(args: readonly string[], env: NodeJS.ProcessEnv): Command {
  const { values } = parse(
    args,
    {
      ...TARGET_OPTIONS,
      'older-than': { type: 'string' },
      states: { type: 'string' },
      'batch-size': { type: 'string' },
      'dry-run': { type: 'boolean' },
    },
    0,
  );
  if (values.help) return { name: 'help', topic: 'purge' };
  const olderThan = values['older-than'];
  if (olderThan === undefined) throw new UsageError('purge: --older-than is required (e.g. 30d)');
  return {
    name: 'purge',
    dryRun: values['dry-run'] === true,
    olderThanMs: parseDuration(olderThan, '--older-than'),
    states: values.states === undefined ? undefined : parseStateNames(values.states, '--states'),
    batchSize: parseBatchSize(values['batch-size'], 10_000),
    ...targetArgs(values, env),
  };
}

function parseBatchSize(text: string | undefined, max: number): number | undefined {
  if (text === undefined) return undefined;
  const size = Number(text);
  if (!/^\d+$/.test(text) || size < 1 || size > max) {
    throw new UsageError(`--batch-size: expected an integer from 1 to ${max}, got ${text}`);
  }
  return size;
}

function parseRotateKeys(args: readonly string[], env: NodeJS.ProcessEnv): Command {
  const { values } = parse(
    args,
    {
      ...TARGET_OPTIONS,
      'keys-file': { type: 'string' },
      'kms-key-id': { type: 'string' },
      'kms-decrypt-key-arns': { type: 'string' },
      'scopes-file': { type: 'string' },
      'checkpoint-file': { type: 'string' },
      'batch-size': { type: 'string' },
    },
    0,
  );
  if (values.help) return { name: 'help', topic: 'rotate-keys' };
  const scopesFile = values['scopes-file'];
  if (scopesFile === undefined) {
    throw new UsageError('rotate-keys: --scopes-file is required (JSON Lines of {tenant, owner})');
  }
  const keysFile = values['keys-file'] ?? nonEmpty(env.A2A_STORES_KEYS_FILE);
  const kmsKeyId = values['kms-key-id'] ?? nonEmpty(env.A2A_KMS_KEY_ARN);
  if (keysFile === undefined && kmsKeyId === undefined) {
    throw new UsageError(
      'rotate-keys: no keyring: pass --keys-file (or A2A_STORES_KEYS_FILE) and/or --kms-key-id (or A2A_KMS_KEY_ARN)',
    );
  }
  const decryptArns = values['kms-decrypt-key-arns']
    ?.split(',')
    .map((arn) => arn.trim())
    .filter((arn) => arn !== '');
  return {
    name: 'rotate-keys',
    keyring: { keysFile, kmsKeyId, kmsDecryptKeyArns: decryptArns },
    scopesFile,
    checkpointFile: values['checkpoint-file'],
    batchSize: parseBatchSize(values['batch-size'], 100),
    ...targetArgs(values, env),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** `bench` passes its options to the harness, which validates them itself. */
function parseBench(args: readonly string[]): Command {
  if (args.includes('--help') || args.includes('-h')) return { name: 'help', topic: 'bench' };
  return {
    name: 'bench',
    json: args.includes('--json'),
    args: args.filter((arg) => arg !== '--json' && arg !== '--'),
  };
}

function parseConformance(args: readonly string[]): Command {
  const { values } = parse(
    args,
    {
      module: { type: 'string' },
      export: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    0,
  );
  if (values.help) return { name: 'help', topic: 'conformance' };
  if (values.module === undefined) {
    throw new UsageError('conformance: --module is required (a file that exports a harness)');
  }
  const exportName = values.export ?? 'harness';
  if (!/^[A-Za-z_$][\w$]*$/.test(exportName)) {
    throw new UsageError(`--export: ${JSON.stringify(exportName)} is not an export name`);
  }
  return {
    name: 'conformance',
    json: values.json === true,
    modulePath: values.module,
    exportName,
  };
}

import { describe, expect, it } from 'vitest';
import { runBin } from './run-bin.js';

const NO_URL_ENV = { A2A_STORE_URL: '' };

describe('a2a-stores usage errors exit 2 with a message', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['unknown command', ['frobnicate'], /unknown command "frobnicate"/],
    ['no command at all', [], /a2a-stores <command> \[options\]/],
    [
      'a MySQL URL without a database',
      ['migrate', '--url', 'mysql://root:hunter2@127.0.0.1:3306'],
      /names no database/,
    ],
    ['no target', ['migrate'], /no target: pass --url or set A2A_STORE_URL/],
    ['unknown option', ['migrate', '--url', 'sqlite:x.db', '--nope'], /Unknown option '--nope'/],
    ['unknown scheme', ['migrate', '--url', 'ftp://host/db'], /unsupported target scheme "ftp:"/],
    ['no scheme', ['migrate', '--url', 'just-a-file.db'], /has no scheme/],
    ['purge without --older-than', ['purge', '--url', 'sqlite:x.db'], /--older-than is required/],
    [
      'bad duration',
      ['purge', '--url', 'sqlite:x.db', '--older-than', '30 days'],
      /duration like 30d/,
    ],
    ['zero duration', ['purge', '--url', 'sqlite:x.db', '--older-than', '0d'], /must be positive/],
    [
      'unknown state',
      ['purge', '--url', 'sqlite:x.db', '--older-than', '1d', '--states', 'completed,done'],
      /unknown state "done"/,
    ],
    [
      'bad batch size',
      ['purge', '--url', 'sqlite:x.db', '--older-than', '1d', '--batch-size', '0'],
      /--batch-size: expected an integer/,
    ],
    ['migrate subcommand', ['migrate', 'sideways', '--url', 'sqlite:x.db'], /unknown subcommand/],
    ['conformance without module', ['conformance'], /--module is required/],
    [
      'rotate-keys without scopes',
      ['rotate-keys', '--url', 'sqlite:x.db', '--keys-file', 'k.json'],
      /--scopes-file is required/,
    ],
    [
      'rotate-keys without a keyring',
      ['rotate-keys', '--url', 'sqlite:x.db', '--scopes-file', 's.jsonl'],
      /no keyring: pass --keys-file/,
    ],
    [
      'rotate-keys batch over 100',
      [
        'rotate-keys',
        '--url',
        'sqlite:x.db',
        '--keys-file',
        'k',
        '--scopes-file',
        's',
        '--batch-size',
        '101',
      ],
      /--batch-size: expected an integer from 1 to 100/,
    ],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const run = await runBin(args, { env: NO_URL_ENV });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
    });
  }

  it('reports a usage error as JSON under --json, with the exit code', async () => {
    const run = await runBin(['purge', '--url', 'sqlite:x.db', '--older-than', 'soon', '--json'], {
      env: NO_URL_ENV,
    });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, exitCode: 2 });
  });

  it('never echoes the password of a malformed or unsupported URL', async () => {
    const run = await runBin(['migrate', '--url', 'ftp://admin:hunter2secret@host/db'], {
      env: NO_URL_ENV,
    });
    expect(run.code).toBe(2);
    expect(run.stderr + run.stdout).not.toContain('hunter2secret');
  });

  it('prints help and the version with exit 0', async () => {
    const help = await runBin(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:/);
    const purgeHelp = await runBin(['purge', '--help']);
    expect(purgeHelp.code).toBe(0);
    expect(purgeHelp.stdout).toMatch(/--older-than/);
    const version = await runBin(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

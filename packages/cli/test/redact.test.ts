import { describe, expect, it } from 'vitest';
import { redactText, redactUrl, scrubSecrets } from '../src/redact.js';
import { runBin } from './run-bin.js';

// Issue #17 item 10: a password with "/" (the URL parser gives up) and a URL passed positionally
// (quoted in the usage error) were printed. One redaction, no URL parser, every output line.

/** [what, raw argument, the secrets it holds, what a redacted URL keeps]. */
const SHAPES: ReadonlyArray<readonly [string, string, readonly string[], string]> = [
  ['a slash', 'postgres://u:S3CRET/PW@127.0.0.1:1/x', ['S3CRET/PW', 'S3CRET'], '127.0.0.1:1/x'],
  [
    '@ in the password',
    'postgres://u:p@ssW0rd@db.example/app',
    ['p@ssW0rd', 'ssW0rd'],
    'db.example/app',
  ],
  ['# and ? in the password', 'rediss://default:to#k?en99@cache:6380', ['to#k?en99'], 'cache:6380'],
  ['percent-encoding', 'postgres://u:S3%2FCR%40ET@db/app', ['S3%2FCR%40ET', 'S3/CR@ET'], 'db/app'],
  [
    'redis with no user',
    'redis://:RedisPw123@127.0.0.1:6379/0',
    ['RedisPw123'],
    '127.0.0.1:6379/0',
  ],
  ['mysql', 'mysql://root:MyS3cretPw@127.0.0.1:3306/test', ['MyS3cretPw'], '127.0.0.1:3306/test'],
  ['mariadb', 'mariadb://app:M4r1aPw@db:3306/a2a', ['M4r1aPw'], 'db:3306/a2a'],
  ['a space (unparseable)', 'postgres://u:two words@db/x', ['two words'], 'db/x'],
  [
    'a bad port (unparseable)',
    'postgres://u:pw@db:99999999/x?password=QuerySecret',
    ['QuerySecret'],
    'db:99999999/x',
  ],
  [
    'a query secret',
    'postgres://db/app?sslmode=require&password=QueryPw42',
    ['QueryPw42'],
    'sslmode=require',
  ],
  ['a lone token', 'https://ghp_T0KENVALUE@github.com/x', ['ghp_T0KENVALUE'], 'github.com/x'],
  ['unicode', 'postgres://u:pässwört€@db/x', ['pässwört€'], 'db/x'],
  ['no scheme', '//u:NoSchemePw@db/x', ['NoSchemePw'], 'db/x'],
  ['an unsupported scheme', 'ftp://admin:hunter2secret@host/db', ['hunter2secret'], 'host/db'],
];

function expectClean(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe('redaction of URL-ish strings', () => {
  it.each(SHAPES)('redactUrl hides a password with %s', (_what, raw, secrets, kept) => {
    const shown = redactUrl(raw);
    expectClean(shown, secrets);
    expect(shown).toContain('***');
    expect(shown).toContain(kept);
  });

  it.each(SHAPES)('redactText hides it inside a message (%s)', (_what, raw, secrets) => {
    const quoted = `unexpected argument ${JSON.stringify(raw)}`;
    // A space in the password cuts a URL in free text: the argument's own secrets cover it.
    const shown = scrubSecrets(quoted, [raw]);
    expectClean(shown, secrets);
    expect(shown).toMatch(/^unexpected argument "/);
  });

  it.each(SHAPES)(
    'scrubs a driver error echoing the URL or the password alone (%s)',
    (_what, raw, secrets) => {
      const decoded = decodeURIComponent(secrets[0]!.replace(/%(?![0-9a-f]{2})/gi, '%25'));
      const message = `connect failed for ${raw}: password ${secrets[0]} / "${decoded}" rejected`;
      expectClean(scrubSecrets(message, [raw]), secrets);
      expectClean(scrubSecrets(JSON.stringify({ error: message }), [raw]), secrets);
    },
  );

  it('hides URLs it was never told about', () => {
    expect(redactText('target postgres://op:S3CRET/PW@10.0.0.1:5432/x is down')).toBe(
      'target postgres://op:***@10.0.0.1:5432/x is down',
    );
    expect(redactText("driver: 'mysql://root:pw9@h/db' (2 tries)")).toBe(
      "driver: 'mysql://root:***@h/db' (2 tries)",
    );
    expect(redactText('redis://:pw@a and redis://:pw2@b')).toBe(
      'redis://:***@a and redis://:***@b',
    );
  });

  it('leaves text without credentials alone', () => {
    for (const text of [
      'Error: connect ECONNREFUSED 127.0.0.1:5432',
      'sqlite:./data/a2a.db migrated (3 migrations)',
      'see https://example.com/docs?page=2#top',
      "Access denied for user 'root'@'localhost'",
    ]) {
      expect(redactText(text)).toBe(text);
    }
  });
});

describe('the CLI never prints a password', () => {
  const NO_URL_ENV = { A2A_STORE_URL: '' };

  it.each([
    [
      '--url with a slash in the password',
      ['migrate', '--url', 'postgres://u:S3CRET/PW@127.0.0.1:1/x'],
    ],
    ['--url= with a slash', ['migrate', '--url=postgres://u:S3CRET/PW@127.0.0.1:1/x']],
    ['a positional URL', ['migrate', 'postgres://postgres:S3CRET/PW@127.0.0.1:1/x']],
    ['a positional URL under --json', ['purge', '--json', 'mysql://root:S3CRET/PW@127.0.0.1:1/x']],
    ['a URL with spaces', ['migrate', '--url', 'postgres://u:S3CRET/PW and more@127.0.0.1:1/x']],
  ])('%s', async (_what, args) => {
    const run = await runBin(args, { env: NO_URL_ENV });
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).not.toContain('S3CRET');
    expect(run.stdout + run.stderr).not.toContain('PW');
  });

  it('from A2A_STORE_URL too', async () => {
    const run = await runBin(['migrate', 'status', '--json'], {
      env: { A2A_STORE_URL: 'postgres://u:S3CRET/PW@127.0.0.1:1/x' },
    });
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).not.toContain('S3CRET');
  });
});

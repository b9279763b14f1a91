import { dirname } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pipeRedacted } from '../src/child-output.js';
import { Output } from '../src/output.js';
import { runBin } from './run-bin.js';

// Issue #17 item 10: `conformance` and `bench` let their child process write straight to the
// terminal, past the redaction every other line goes through.

const URL_WITH_SECRET = 'postgres://u:S3CRET/PW@127.0.0.1:1/x';

function capture() {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    Object.assign(new PassThrough(), {
      write: (chunk: string) => {
        append(chunk);
        return true;
      },
    });
  const out = new Output(
    {
      stdout: sink((s) => {
        stdout += s;
      }),
      stderr: sink((s) => {
        stderr += s;
      }),
    },
    false,
    undefined,
  );
  return { out, stdout: () => stdout, stderr: () => stderr };
}

describe('child output is redacted', () => {
  it('even when a URL is cut between two chunks, and coloured', async () => {
    const { out, stdout } = capture();
    const child = new PassThrough();
    const copied = pipeRedacted(child, out, 'stdout');
    const line = `\x1b[31mError: connect to ${URL_WITH_SECRET}\x1b[39m failed\n`;
    const cut = line.indexOf('CRET');
    child.write(line.slice(0, cut));
    child.write(line.slice(cut));
    child.end('no newline at the end: redis://:R3disPw@h');
    await copied;
    expect(stdout()).not.toContain('S3CRET');
    expect(stdout()).not.toContain('R3disPw');
    expect(stdout()).toContain('postgres://u:***@127.0.0.1:1/x');
    expect(stdout()).toContain('redis://:***@h');
  });

  it('conformance: a harness whose driver quotes the URL never prints the password', async () => {
    const leaky = fileURLToPath(new URL('./fixtures/leaky-harness.ts', import.meta.url));
    for (const json of [false, true]) {
      const run = await runBin(['conformance', '--module', leaky, ...(json ? ['--json'] : [])], {
        env: { A2A_STORE_URL: URL_WITH_SECRET },
        cwd: dirname(leaky),
      });
      expect(run.code).toBe(1);
      // The harness's error did reach the output, redacted.
      expect(run.stdout + run.stderr).toContain('could not connect to postgres://u:***@');
      expect(run.stdout + run.stderr).not.toContain('S3CRET');
    }
  }, 180_000);
});

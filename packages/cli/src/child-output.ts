import type { Readable } from 'node:stream';
import type { Output } from './output.js';

/**
 * Copies a child process's output (vitest for `conformance`, the bench harness) to the CLI's
 * own stream through `Output`, so it is redacted like every other line: a harness or driver
 * error quoting a connection string must not print its password. Whole lines are passed on (a
 * URL cut between two chunks would escape redaction); what is left at the end is flushed.
 * Lines matching `dropLine` are not passed on. Resolves when the stream ends.
 */
export function pipeRedacted(
  source: Readable,
  out: Output,
  target: 'stdout' | 'stderr',
  dropLine?: RegExp,
): Promise<void> {
  const pass = (text: string) => {
    const kept =
      dropLine === undefined
        ? text
        : text
            .split(/(?<=\n)/)
            .filter((line) => !dropLine.test(line))
            .join('');
    if (kept !== '') out.passthrough(target, kept);
  };
  return new Promise((resolvePromise) => {
    let pending = '';
    source.setEncoding('utf8');
    source.on('data', (chunk: string) => {
      pending += chunk;
      const cut = pending.lastIndexOf('\n');
      if (cut < 0) return;
      pass(pending.slice(0, cut + 1));
      pending = pending.slice(cut + 1);
    });
    const finish = () => {
      if (pending !== '') pass(pending);
      pending = '';
      resolvePromise();
    };
    source.on('end', finish);
    // A broken pipe from the child ends its output; the exit code reports the failure.
    source.on('error', finish);
  });
}

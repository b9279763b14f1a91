import type { TargetArgs } from '../args.js';
import { openTarget } from '../open-target.js';
import type { Output } from '../output.js';
import { parseTargetUrl } from '../target-url.js';

/** Arguments of `purge`. */
export interface PurgeArgs extends TargetArgs {
  readonly olderThanMs: number;
  readonly states?: readonly number[];
  readonly batchSize?: number;
}

/**
 * `purge`: deletes finished tasks (and their push configs) last written before the cutoff,
 * across every scope, in batches. The adapters' purge reports one total at the end, so a TTY
 * shows elapsed time while it runs and the result line carries the count and rate.
 */
export async function runPurge(args: PurgeArgs, out: Output): Promise<void> {
  const spec = parseTargetUrl(args.url);
  const { bundle } = await openTarget(spec, args.naming);
  const olderThan = new Date(Date.now() - args.olderThanMs);
  const started = performance.now();
  const ticker = out.interactive
    ? setInterval(() => {
        const seconds = (performance.now() - started) / 1000;
        out.progress(`purging tasks older than ${olderThan.toISOString()}… ${seconds.toFixed(1)}s`);
      }, 250)
    : undefined;
  try {
    const { deleted } = await bundle.taskStore.purge({
      olderThan,
      states: args.states === undefined ? undefined : [...args.states],
      batchSize: args.batchSize,
    });
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(deleted / seconds) : deleted;
    out.result({
      target: out.target(),
      adapter: spec.kind,
      olderThan: olderThan.toISOString(),
      deleted,
      seconds,
      ratePerSecond: rate,
    });
    out.line(
      `${out.target()}: purged ${deleted} task(s) last written before ${olderThan.toISOString()} in ${seconds.toFixed(2)}s (${rate}/s)`,
    );
  } finally {
    if (ticker !== undefined) clearInterval(ticker);
    await bundle.close();
  }
}

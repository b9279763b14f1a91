import type { TargetArgs } from '../args.js';
import { assertTargetExists } from '../existing-target.js';
import { openTarget } from '../open-target.js';
import { jsonSeconds, type Output } from '../output.js';
import { ProgressMeter } from '../progress.js';
import { parseTargetUrl } from '../target-url.js';

/** Arguments of `purge`. */
export interface PurgeArgs extends TargetArgs {
  readonly olderThanMs: number;
  readonly states?: readonly number[];
  readonly batchSize?: number;
}

/**
 * `purge`: deletes finished tasks (and their push configs) last written before the cutoff,
 * across every scope, in batches. Each batch reports through core's `onProgress`, shown as a
 * count and rate (no ETA: the number of matching tasks is not known up front).
 */
export async function runPurge(args: PurgeArgs, out: Output): Promise<void> {
  const spec = parseTargetUrl(args.url);
  assertTargetExists(spec);
  const { bundle } = await openTarget(spec, args.naming);
  const olderThan = new Date(Date.now() - args.olderThanMs);
  const meter = new ProgressMeter(out, 'purging', 'tasks');
  if (!out.interactive && !out.json)
    out.progressLine(`purging tasks last written before ${olderThan.toISOString()}…`);
  try {
    const { deleted } = await bundle.taskStore.purge({
      olderThan,
      states: args.states === undefined ? undefined : [...args.states],
      batchSize: args.batchSize,
      onProgress: (deletedSoFar) => meter.update({ done: deletedSoFar }),
    });
    const seconds = meter.elapsedSeconds();
    const rate = seconds > 0 ? Math.round(deleted / seconds) : deleted;
    out.result({
      target: out.target(),
      adapter: spec.kind,
      olderThan: olderThan.toISOString(),
      deleted,
      seconds: jsonSeconds(seconds),
      ratePerSecond: rate,
    });
    out.line(
      `${out.target()}: purged ${deleted} task(s) last written before ${olderThan.toISOString()} in ${seconds.toFixed(2)}s (${rate}/s)`,
    );
  } finally {
    await bundle.close();
  }
}

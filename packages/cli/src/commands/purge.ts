import type { TargetArgs } from '../args.js';
import { assertTargetExists } from '../existing-target.js';
import { openTarget } from '../open-target.js';
import { jsonSeconds, type Output } from '../output.js';
import { ProgressMeter } from '../progress.js';
import { parseTargetUrl } from '../target-url.js';
import { countPurgeable } from './purge-dry-run.js';

/** Arguments of `purge`. */
export interface PurgeArgs extends TargetArgs {
  /** Count what would be deleted; delete nothing. */
  readonly dryRun?: boolean;
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
  const olderThan = new Date(Date.now() - args.olderThanMs);
  const states = args.states === undefined ? undefined : [...args.states];
  if (args.dryRun) {
    const wouldDelete = await countPurgeable(spec, args.naming, {
      olderThan,
      states,
      batchSize: args.batchSize,
    });
    out.result({
      target: out.target(),
      adapter: spec.kind,
      dryRun: true,
      olderThan: olderThan.toISOString(),
      wouldDelete,
    });
    out.line(
      `${out.target()}: would purge ${wouldDelete} task(s) last written before ${olderThan.toISOString()} (dry run: nothing deleted)`,
    );
    return;
  }
  const { bundle } = await openTarget(spec, args.naming);
  const meter = new ProgressMeter(out, 'purging', 'tasks');
  if (!out.interactive && !out.json)
    out.progressLine(`purging tasks last written before ${olderThan.toISOString()}…`);
  try {
    const { deleted } = await bundle.taskStore.purge({
      olderThan,
      states,
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

import type { TargetArgs } from '../args.js';
import { assertTargetExists } from '../existing-target.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { openTarget } from '../open-target.js';
import { jsonSeconds, type Output } from '../output.js';
import { readSchemaStatus } from '../schema-status.js';
import { parseTargetUrl } from '../target-url.js';

/** `migrate`: applies pending migrations (idempotent); `--dry-run` prints their SQL instead. */
export async function runMigrate(
  args: TargetArgs & { dryRun: boolean },
  out: Output,
): Promise<void> {
  const spec = parseTargetUrl(args.url);
  if (args.dryRun) assertTargetExists(spec);
  const { bundle, migrations } = await openTarget(spec, args.naming);
  try {
    if (args.dryRun) {
      const { pending } = await readSchemaStatus(bundle, migrations);
      if (migrations === undefined) {
        out.result({ target: out.target(), adapter: spec.kind, dryRun: true, pending, sql: null });
        out.line(
          `${spec.kind} has no SQL migrations: migrate() only records the key format version. Pending: ${pending.join(', ') || 'none'}`,
        );
        return;
      }
      const steps = migrations.filter((m) => pending.includes(m.id));
      out.result({ target: out.target(), adapter: spec.kind, dryRun: true, pending, steps });
      if (steps.length === 0) out.line(`-- ${out.target()}: up to date, nothing would run`);
      for (const step of steps) {
        out.line(`-- migration ${step.id}`);
        for (const statement of step.statements) out.line(`${statement.trim()};`);
      }
      return;
    }
    out.progress(`migrating ${out.target()}…`);
    const started = performance.now();
    const result = await bundle.migrate();
    const seconds = (performance.now() - started) / 1000;
    out.result({
      target: out.target(),
      adapter: spec.kind,
      applied: result.applied,
      current: result.current,
      seconds: jsonSeconds(seconds),
    });
    for (const id of result.applied) out.line(`applied ${id}`);
    out.line(
      result.applied.length === 0
        ? `${out.target()}: already up to date (${result.current.length} migrations)`
        : `${out.target()}: applied ${result.applied.length} migration(s) in ${seconds.toFixed(2)}s`,
    );
  } finally {
    await bundle.close();
  }
}

/**
 * `migrate status`: applied and pending migrations, changing nothing. Resolves
 * `ExitCode.notMigrated` (4) when migrations are pending, so CI can gate a deploy on it.
 */
export async function runMigrateStatus(
  args: TargetArgs,
  out: Output,
): Promise<ExitCodeValue | undefined> {
  const spec = parseTargetUrl(args.url);
  assertTargetExists(spec);
  const { bundle, migrations } = await openTarget(spec, args.naming);
  try {
    const status = await readSchemaStatus(bundle, migrations);
    out.result({ target: out.target(), adapter: spec.kind, ...status });
    if (status.applied !== undefined) {
      for (const id of status.applied) out.line(`applied  ${id}`);
    }
    for (const id of status.pending) out.line(`pending  ${id}`);
    out.line(
      status.pending.length === 0
        ? `${out.target()}: up to date`
        : `${out.target()}: ${status.pending.length} pending; run \`a2a-stores migrate\``,
    );
    return status.pending.length === 0 ? undefined : ExitCode.notMigrated;
  } finally {
    await bundle.close();
  }
}

import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { RotationCheckpoint, RotationProgress } from '@a2a-stores/kms';
import type { TargetArgs } from '../args.js';
import { CliError, ExitCode, UsageError } from '../exit-codes.js';
import { type KeyringSource, openKeyring } from '../keyring-source.js';
import { openTarget } from '../open-target.js';
import { jsonSeconds, type Output } from '../output.js';
import { ProgressMeter } from '../progress.js';
import { readScopes, readStdin } from '../scopes-file.js';
import { parseTargetUrl } from '../target-url.js';

/** The push URL check of a rotation: every stored URL was accepted when it was registered. */
function acceptStoredPushUrl(): void {}

/** Arguments of `rotate-keys`. */
export interface RotateKeysArgs extends TargetArgs {
  readonly keyring: KeyringSource;
  readonly scopesFile: string;
  readonly checkpointFile?: string;
  readonly batchSize?: number;
}

/**
 * `rotate-keys`: re-wraps every data key of the listed scopes under the keyring's primary
 * master key with `@a2a-stores/kms`'s `rotateKeys` (ciphertexts untouched; records already under
 * the primary skipped, so a re-run is cheap). Stores are opened with core's default scope
 * resolver, the mapping `rotateKeys` builds its call contexts with. With `--checkpoint-file`,
 * the position after every batch is saved (atomically) and the next run resumes from it; the file
 * is removed when a run completes. Ctrl-C stops between batches.
 */
export async function runRotateKeys(args: RotateKeysArgs, out: Output): Promise<void> {
  const spec = parseTargetUrl(args.url);
  const scopes = await readScopes(args.scopesFile, readStdin);
  const resumeFrom = readCheckpoint(args.checkpointFile, scopes.length);
  const {
    keyring,
    primary,
    close: closeKeyring,
  } = await openKeyring(args.keyring, (message) => out.error(`warning: ${message}`));
  // Loaded on use, like the adapters: other commands start without them.
  const { defaultScopeResolver } = await import('@a2a-stores/core');
  const { withEnvelopeEncryption, rotateKeys } = await import('@a2a-stores/kms');
  // Re-wrapping re-saves each push config with the URL it was registered with: the URL does not
  // change, so it is not re-validated. The policy resolves host names, and a host that resolved
  // where the agent registered it may not resolve where the operator runs this (a private DNS
  // zone): re-validating made such configs fail, and the old key could never be retired. The
  // agent's guarded push sender still checks every URL before each delivery.
  const { bundle } = await openTarget(
    spec,
    args.naming,
    defaultScopeResolver(),
    acceptStoredPushUrl,
  );
  const stores = withEnvelopeEncryption(bundle, { keyring });
  const meter = new ProgressMeter(out, 'rotating', 'scopes');
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  let last: RotationProgress | undefined;
  try {
    if (resumeFrom) out.line(`resuming at scope ${resumeFrom.scopeIndex + 1} of ${scopes.length}`);
    out.progress(`rotating ${out.target()} to ${primary}…`);
    const result = await rotateKeys({
      stores,
      scopes,
      ...(args.batchSize === undefined ? {} : { batchSize: args.batchSize }),
      ...(resumeFrom === undefined ? {} : { resumeFrom }),
      signal: abort.signal,
      onProgress: (progress) => {
        last = progress;
        if (args.checkpointFile) writeCheckpoint(args.checkpointFile, progress.checkpoint);
        meter.update(
          { done: progress.scopesDone, total: scopes.length, detail: detailOf(progress) },
          // The last reading is always shown, so a log ends on the final counts.
          progress.scopesDone === scopes.length,
        );
      },
    });
    last = result;
    const seconds = meter.elapsedSeconds();
    if (args.checkpointFile) rmSync(args.checkpointFile, { force: true });
    const failures = result.failures.map((failure) => ({
      // Scopes by position in the scopes file: tenant and owner names stay out of logs.
      scope:
        scopes.findIndex(
          (s) => s.tenant === failure.scope.tenant && s.owner === failure.scope.owner,
        ) + 1,
      taskId: failure.taskId,
      ...(failure.configId === undefined ? {} : { configId: failure.configId }),
      error: failure.error.message,
    }));
    out.result({
      target: out.target(),
      adapter: spec.kind,
      primary,
      scopes: scopes.length,
      scopesDone: result.scopesDone,
      tasksScanned: result.tasksScanned,
      tasksRewrapped: result.tasksRewrapped,
      pushConfigsRewrapped: result.pushConfigsRewrapped,
      dataKeysRewrapped: result.dataKeysRewrapped,
      failures,
      seconds: jsonSeconds(seconds),
    });
    out.line(
      `${out.target()}: ${result.scopesDone} scope(s), ${detailOf(result)} in ${seconds.toFixed(2)}s; now under ${primary}`,
    );
    for (const failure of failures) {
      out.line(
        `failed: scope #${failure.scope} task ${failure.taskId}${failure.configId === undefined ? '' : ` config ${failure.configId}`}: ${failure.error}`,
      );
    }
    if (failures.length > 0) {
      throw new CliError(
        ExitCode.failed,
        `${failures.length} record(s) could not be re-wrapped; keep the old key until they are fixed`,
      );
    }
  } catch (error) {
    if (abort.signal.aborted && !(error instanceof CliError)) {
      throw new CliError(
        ExitCode.failed,
        `stopped after ${last?.scopesDone ?? 0} of ${scopes.length} scope(s)` +
          (args.checkpointFile ? '; run again with the same --checkpoint-file to resume' : ''),
      );
    }
    throw error;
  } finally {
    process.removeListener('SIGINT', onSignal);
    await stores.close();
    closeKeyring();
  }
}

function detailOf(progress: RotationProgress): string {
  return `${progress.tasksScanned} task(s) scanned, ${progress.tasksRewrapped} task(s) and ${progress.pushConfigsRewrapped} push config(s) re-wrapped (${progress.dataKeysRewrapped} data key(s)), ${progress.failures.length} failure(s)`;
}

function readCheckpoint(
  path: string | undefined,
  scopeCount: number,
): RotationCheckpoint | undefined {
  if (path === undefined || !existsSync(path)) return undefined;
  let checkpoint: Partial<RotationCheckpoint>;
  try {
    checkpoint = JSON.parse(readFileSync(path, 'utf8')) as Partial<RotationCheckpoint>;
  } catch {
    throw new UsageError(`--checkpoint-file: ${path} is not a checkpoint (not JSON)`);
  }
  const { scopeIndex, pageToken } = checkpoint;
  if (
    !Number.isInteger(scopeIndex) ||
    (scopeIndex as number) < 0 ||
    (scopeIndex as number) > scopeCount ||
    typeof pageToken !== 'string'
  ) {
    throw new UsageError(
      `--checkpoint-file: ${path} does not fit this scopes file (${scopeCount} scopes); delete it to start over`,
    );
  }
  return { scopeIndex: scopeIndex as number, pageToken };
}

function writeCheckpoint(path: string, checkpoint: RotationCheckpoint): void {
  // Write then rename: a crash mid-write never leaves a torn checkpoint behind.
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

import type { BackendResult } from './report.js';
import { totalVsSdk } from './stream-stats.js';
import type { TargetCheck } from './targets.js';

/** Per-save cost at the end of a stream over its cost at the start, for every store we ship. */
export const STREAM_GROWTH_TARGET = 1.5;

/** How many times less total save time than the SDK store, on the backends the SDK covers. */
export const STREAM_TOTAL_VS_SDK_TARGET = 10;

/** Backends whose adapter is judged against the SDK store's total stream time (issue #20). */
export const STREAM_TOTAL_BACKENDS: readonly string[] = ['sqlite', 'postgres'];

function judged(
  backend: string,
  target: string,
  value: number | undefined,
  met: (value: number) => boolean,
  note: string,
): TargetCheck {
  if (value === undefined) return { backend, target, status: 'not measured', note };
  return { backend, target, value, status: met(value) ? 'met' : 'missed' };
}

/**
 * Issue #20's targets, on this backend's streams: every adapter and cached KMS wrapper saves as
 * fast at the end of each stream as at its start (within {@link STREAM_GROWTH_TARGET}); on SQLite
 * and PostgreSQL, the adapter's artifact stream takes {@link STREAM_TOTAL_VS_SDK_TARGET}x less
 * total save time than the SDK store's.
 */
export function streamTargets(backend: BackendResult): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const name = backend.backend;
  for (const result of backend.stream ?? []) {
    const stream = `${result.events} × ${result.partChars}-char ${result.variant} stream`;
    for (const subject of result.subjects) {
      if (subject.role !== 'adapter' && subject.role !== 'wrapper') continue;
      const { window } = subject.save;
      checks.push(
        judged(
          name,
          `${subject.name}: ${stream}, save mean of last ${window} ≤ ${STREAM_GROWTH_TARGET}x first ${window}`,
          subject.save.growth,
          (v) => v <= STREAM_GROWTH_TARGET,
          '',
        ),
      );
      if (
        result.variant === 'artifact chunks' &&
        subject.role === 'adapter' &&
        STREAM_TOTAL_BACKENDS.includes(name)
      ) {
        checks.push(
          judged(
            name,
            `${subject.name}: ${stream}, total save time ≥ ${STREAM_TOTAL_VS_SDK_TARGET}x lower than SDK store`,
            totalVsSdk(result, subject),
            (v) => v >= STREAM_TOTAL_VS_SDK_TARGET,
            backend.notes?.find((note) => note.startsWith('SDK store')) ?? 'no SDK store subject',
          ),
        );
      }
    }
  }
  return checks;
}

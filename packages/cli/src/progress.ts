import type { Output } from './output.js';

/** One progress reading: what is done, out of how many when the total is known. */
export interface ProgressReading {
  /** Units done so far (scopes, tasks...): the rate and ETA are computed on these. */
  readonly done: number;
  /** Total units, when known; without it there is no ETA. */
  readonly total?: number;
  /** Counters shown after the rate, e.g. "1200 tasks scanned, 40 re-wrapped". */
  readonly detail?: string;
}

/** How often a plain (non-TTY) progress line may be written. */
const PLAIN_INTERVAL_MS = 2000;
/** How often the TTY line is redrawn at most. */
const TTY_INTERVAL_MS = 100;

/**
 * Progress of a long operation: on a TTY one line redrawn in place on stderr, with counts, rate
 * and ETA; elsewhere (a CI log, a cron mail) a plain line on stderr at most every two seconds,
 * so logs show the run is alive without a line per record. Nothing under `--json`: stdout holds
 * the one result document and stderr stays for errors.
 */
export class ProgressMeter {
  private readonly started: number;
  private lastWrite = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly out: Output,
    private readonly label: string,
    private readonly unit: string,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  /** Reports a reading; throttled, so it can be called after every batch. */
  update(reading: ProgressReading, force = false): void {
    if (this.out.json) return;
    const now = this.now();
    const interval = this.out.interactive ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS;
    if (!force && now - this.lastWrite < interval) return;
    this.lastWrite = now;
    const text = formatProgress(this.label, this.unit, reading, (now - this.started) / 1000);
    if (this.out.interactive) this.out.progress(text);
    else this.out.progressLine(text);
  }

  /** Seconds since the meter started. */
  elapsedSeconds(): number {
    return (this.now() - this.started) / 1000;
  }
}

/** `label: 3/10 scopes, 12.5 scopes/s, ETA 1s, detail`: exported for tests. */
export function formatProgress(
  label: string,
  unit: string,
  { done, total, detail }: ProgressReading,
  elapsedSeconds: number,
): string {
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  const parts = [
    total === undefined ? `${done} ${unit}` : `${done}/${total} ${unit}`,
    `${formatRate(rate)} ${unit}/s`,
  ];
  if (total !== undefined) {
    parts.push(
      done >= total ? 'done' : rate > 0 ? `ETA ${formatSeconds((total - done) / rate)}` : 'ETA ?',
    );
  }
  if (detail) parts.push(detail);
  return `${label}: ${parts.join(', ')}`;
}

function formatRate(rate: number): string {
  return rate >= 100 ? String(Math.round(rate)) : rate.toFixed(1);
}

/** 42s, 3m05s, 2h01m. */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

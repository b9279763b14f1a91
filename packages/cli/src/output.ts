import { redactUrl, scrubSecrets } from './redact.js';

/** Seconds for a JSON result: millisecond precision, not a float's 16 digits. */
export function jsonSeconds(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** Where the CLI writes; tests and the bin pass the process streams. */
export interface CliStreams {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * Everything the CLI prints goes through here, so every line is redacted (`scrubSecrets`: any
 * URL-ish string, and the secrets of the target and of every argument; drivers like to quote
 * connection strings in their errors). Human lines go to
 * stdout; with `--json`, stdout gets exactly one JSON document and nothing else. Progress goes
 * to stderr: redrawn in place on a TTY, plain lines otherwise, nothing under `--json`.
 */
export class Output {
  private progressShown = false;
  private resultWritten = false;

  private readonly secretSources: readonly string[];

  /**
   * `secretUrl` is the target (shown redacted by `target()`); `otherSources` are further raw
   * strings that may hold credentials (every command-line argument: a URL passed positionally
   * by mistake is echoed in the usage error).
   */
  constructor(
    private readonly streams: CliStreams,
    readonly json: boolean,
    private readonly secretUrl: string | undefined,
    otherSources: readonly string[] = [],
  ) {
    this.secretSources = secretUrl === undefined ? otherSources : [secretUrl, ...otherSources];
  }

  /** The target as it may be shown. */
  target(): string | undefined {
    return this.secretUrl === undefined ? undefined : redactUrl(this.secretUrl);
  }

  /** A plain result line (suppressed under `--json`). */
  line(text: string): void {
    if (this.json) return;
    this.clearProgress();
    this.streams.stdout.write(`${this.scrub(text)}\n`);
  }

  /** The one JSON document of a `--json` run. */
  result(value: unknown): void {
    if (!this.json || this.resultWritten) return;
    this.resultWritten = true;
    this.clearProgress();
    this.streams.stdout.write(`${this.scrub(JSON.stringify(value))}\n`);
  }

  /** An error message on stderr (also under `--json`, so scripts still see why). */
  error(text: string): void {
    this.clearProgress();
    this.streams.stderr.write(`a2a-stores: ${this.scrub(text)}\n`);
  }

  /**
   * Text a child process wrote (vitest, the bench harness), redacted and copied as is to
   * `target`, with no prefix and no newline added. Also under `--json` (callers send it to
   * stderr then, keeping stdout for the one JSON document).
   */
  passthrough(target: 'stdout' | 'stderr', text: string): void {
    this.clearProgress();
    this.streams[target].write(this.scrub(text));
  }

  /** True when progress is drawn in place (an interactive terminal and not `--json`). */
  get interactive(): boolean {
    return !this.json && this.streams.stderr.isTTY === true;
  }

  /** Redraws the progress line on a TTY; elsewhere progress is left to the result lines. */
  progress(text: string): void {
    if (!this.interactive) return;
    this.streams.stderr.write(`\r\x1b[2K${this.scrub(text)}`);
    this.progressShown = true;
  }

  /**
   * A plain progress line on stderr for logs (not a TTY); stdout keeps only results, so a script
   * piping stdout still gets clean output. Suppressed under `--json`.
   */
  progressLine(text: string): void {
    if (this.json) return;
    this.clearProgress();
    this.streams.stderr.write(`${this.scrub(text)}\n`);
  }

  private clearProgress(): void {
    if (!this.progressShown) return;
    this.streams.stderr.write('\r\x1b[2K');
    this.progressShown = false;
  }

  private scrub(text: string): string {
    return scrubSecrets(text, this.secretSources);
  }
}

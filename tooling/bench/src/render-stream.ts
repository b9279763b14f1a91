import type { BackendResult } from './report.js';
import { totalVsSdk } from './stream-stats.js';

const us = (value: number) => value.toFixed(0);
const times = (value: number | undefined) => (value === undefined ? '–' : `${value.toFixed(2)}x`);

/**
 * The stream workload of one backend: per variant, each subject's save (the headline) and the
 * load before it, at the start and the end of the stream, and the totals.
 */
export function streamTable(backend: BackendResult): string[] {
  const lines: string[] = [];
  for (const result of backend.stream ?? []) {
    const window = result.subjects[0]?.save.window ?? 0;
    lines.push(
      `Stream, ${result.variant}: ${result.events} events of ${result.partChars} characters each on one task per subject, each a load, the SDK's ResultManager step, then a save (load and save timed apart; subjects interleaved op by op). Means of the first and last ${window} events; growth = last / first; total vs SDK = SDK total save time / subject's (above 1 = less time).`,
      '',
      '| subject | save µs first | save µs last | save growth | save total s | total vs SDK | load µs first | load µs last | load growth | load total s |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const subject of result.subjects) {
      const { save, load } = subject;
      const vsSdk = subject.role === 'sdk' ? undefined : totalVsSdk(result, subject);
      lines.push(
        `| ${subject.name} | ${us(save.firstMeanUs)} | ${us(save.lastMeanUs)} | ${times(save.growth)} | ${save.totalSeconds.toFixed(2)} | ${times(vsSdk)} | ${us(load.firstMeanUs)} | ${us(load.lastMeanUs)} | ${times(load.growth)} | ${load.totalSeconds.toFixed(2)} |`,
      );
    }
    lines.push('');
  }
  return lines;
}

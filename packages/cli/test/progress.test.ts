import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Output } from '../src/output.js';
import { formatProgress, formatSeconds, ProgressMeter } from '../src/progress.js';

function capture(isTTY: boolean, json = false) {
  const stdout = Object.assign(new PassThrough(), { isTTY });
  const stderr = Object.assign(new PassThrough(), { isTTY });
  let err = '';
  stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const out = new Output({ stdout, stderr }, json, 'postgres://op:s3cret-pw@db/x');
  return { out, stderr: () => err };
}

describe('progress', () => {
  it('formats counts, rate and ETA', () => {
    expect(formatProgress('rotating', 'scopes', { done: 5, total: 20 }, 2)).toBe(
      'rotating: 5/20 scopes, 2.5 scopes/s, ETA 6s',
    );
    expect(formatProgress('rotating', 'scopes', { done: 20, total: 20, detail: 'x' }, 4)).toBe(
      'rotating: 20/20 scopes, 5.0 scopes/s, done, x',
    );
    expect(formatProgress('purging', 'tasks', { done: 1500 }, 1)).toBe(
      'purging: 1500 tasks, 1500 tasks/s',
    );
    expect(formatSeconds(59.4)).toBe('59s');
    expect(formatSeconds(185)).toBe('3m05s');
    expect(formatSeconds(7260)).toBe('2h01m');
  });

  it('writes throttled plain lines when stderr is not a TTY', () => {
    let now = 0;
    const { out, stderr } = capture(false);
    const meter = new ProgressMeter(out, 'rotating', 'scopes', () => now);
    now = 1000;
    meter.update({ done: 1, total: 4 });
    now = 1500;
    meter.update({ done: 2, total: 4 }); // within the 2 s interval: dropped
    now = 3500;
    meter.update({ done: 3, total: 4 });
    now = 3600;
    meter.update({ done: 4, total: 4 }, true); // forced: the final reading is always shown
    expect(stderr().split('\n').filter(Boolean)).toEqual([
      'rotating: 1/4 scopes, 1.0 scopes/s, ETA 3s',
      'rotating: 3/4 scopes, 0.9 scopes/s, ETA 1s',
      'rotating: 4/4 scopes, 1.1 scopes/s, done',
    ]);
  });

  it('redraws one line in place on a TTY and scrubs secrets from it', () => {
    let now = 0;
    const { out, stderr } = capture(true);
    const meter = new ProgressMeter(out, 'rotating', 'scopes', () => now);
    now = 1000;
    meter.update({ done: 1, total: 2, detail: 's3cret-pw' });
    expect(stderr()).toBe('\r\x1b[2Krotating: 1/2 scopes, 1.0 scopes/s, ETA 1s, ***');
  });

  it('stays silent under --json', () => {
    const { out, stderr } = capture(false, true);
    new ProgressMeter(out, 'rotating', 'scopes', () => 1).update({ done: 1 }, true);
    expect(stderr()).toBe('');
  });
});

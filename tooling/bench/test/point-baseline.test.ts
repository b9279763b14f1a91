import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../src/options.js';
import { comparePoints, pointBaselineTable, readBaseline } from '../src/point-baseline.js';
import { renderMarkdown } from '../src/render-report.js';
import { backendResult, reportOf, subjectResult } from './support/report-fixtures.js';

const run = (floorUs: number, adapterUs: number, startedAt: string) =>
  reportOf(
    [
      backendResult('sqlite', [
        subjectResult('floor', 'floor', floorUs),
        subjectResult('ours', 'adapter', adapterUs),
        subjectResult('sdk', 'sdk', 500),
      ]),
    ],
    { startedAt },
  );

describe('point operations against a baseline', () => {
  it('compares the cost over the floor, so a slower host alone flags nothing', () => {
    // Everything twice as slow: same cost over the floor.
    const points = comparePoints(run(200, 240, 'now'), run(100, 120, 'then'));
    expect(points.map((p) => [p.subject, p.workload, p.change, p.regressed])).toEqual([
      ['ours', 'save new', 1, false],
      ['ours', 'load hit', 1, false],
      ['ours', 'update', 1, false],
    ]);
  });

  it('flags a cost over the floor more than 5% above the baseline', () => {
    const [save] = comparePoints(run(100, 127, 'now'), run(100, 120, 'then'));
    expect(save).toMatchObject({ p50Us: 127, baselineP50Us: 120, regressed: true });
    expect(save!.change).toBeCloseTo(127 / 120);
    const [within] = comparePoints(run(100, 125, 'now'), run(100, 120, 'then'));
    expect(within!.regressed).toBe(false);
  });

  it('skips backends the baseline did not measure', () => {
    const other = reportOf([backendResult('postgres', [])], { startedAt: 'then' });
    expect(comparePoints(run(100, 120, 'now'), other)).toEqual([]);
  });

  it('renders the comparison after the backends, and reads the baseline from its JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-baseline-'));
    const path = join(dir, 'base.json');
    writeFileSync(path, JSON.stringify(run(100, 120, '2026-12-07T01:00:00Z')));
    const baseline = readBaseline(path);
    const now = run(100, 130, 'now');
    const points = comparePoints(now, baseline);
    expect(pointBaselineTable(points, baseline.startedAt)[0]).toBe(
      '#### Point operations against the baseline run of 2026-12-07T01:00:00Z',
    );
    const markdown = renderMarkdown({
      ...now,
      finishedAt: 'f',
      machine: { cpus: 2, cpuModel: 'x', memoryGiB: 1, node: 'v', platform: 'p' },
      options: parseBenchOptions(['--baseline', path], '/tmp'),
      baseline: { startedAt: baseline.startedAt, points },
    });
    expect(markdown).toContain(
      '| sqlite | ours | save new | 130.0 | 120.0 | 1.300x | 1.200x | 1.083x | **regressed > 5%** |',
    );
    writeFileSync(path, '{}');
    expect(() => readBaseline(path)).toThrow(/not a bench report/);
    rmSync(dir, { recursive: true, force: true });
  });
});

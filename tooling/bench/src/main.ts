import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type MixedStats, medianOfMixedRuns, runMixed } from './mixed.js';
import { type BackendName, type BenchOptions, parseBenchOptions } from './options.js';
import { comparePoints, readBaseline } from './point-baseline.js';
import { renderMarkdown } from './render-report.js';
import {
  type BackendResult,
  type BenchReport,
  machineInfo,
  type ScalingResult,
  type SubjectResult,
} from './report.js';
import { runScaling } from './scaling.js';
import { seedScope } from './seed.js';
import { type LatencyStats, medianOfRuns, summarize } from './stats.js';
import { runIsolatedStreams } from './stream-process.js';
import { subjectsOf } from './subjects/of-backend.js';
import { WORKLOADS, type WorkloadName } from './workload-names.js';
import { runWorkloads, type SeededSubject } from './workloads.js';

const repoRoot = new URL('../../..', import.meta.url).pathname;

const progress = (line: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/**
 * Seeds each subject, then `runs` times: every workload with the subjects interleaved op by op
 * (see `runWorkloads`), then the mixed runs of each subject (per-client scopes, then one scope),
 * in an order that rotates per run. Mixed runs stay one subject at a time: 32 concurrent clients
 * of two subjects at once would measure the two contending for the host. `--mixed-only` skips the
 * seeding, the workloads and the stream.
 */
async function benchBackend(
  backend: BackendName | 'memory',
  options: BenchOptions,
): Promise<BackendResult> {
  const { subjects, settings, notes, cleanup } = await subjectsOf(backend);
  try {
    const seedStart = performance.now();
    const seeded: SeededSubject[] = [];
    for (const subject of options.mixedOnly ? [] : subjects) {
      progress(`${backend}: seeding ${options.scopeSize} tasks into ${subject.name}`);
      seeded.push({ subject, seeded: await seedScope(subject, options) });
    }
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const perRun: LatencyStats[][][] = subjects.map(() => WORKLOADS.map(() => []));
    const mixedRuns: MixedStats[][] = subjects.map(() => []);
    const oneScopeRuns: MixedStats[][] = subjects.map(() => []);
    for (let run = 0; run < options.runs; run++) {
      progress(
        `${backend}: run ${run + 1}/${options.runs}, workloads of ${seeded.length} subjects interleaved`,
      );
      const samples = seeded.length > 0 ? await runWorkloads(seeded, options) : [];
      samples.forEach((taken, s) => {
        WORKLOADS.forEach((workload, w) => {
          const latencies = taken[workload];
          if (latencies && latencies.length > 0) perRun[s]![w]!.push(summarize(latencies));
        });
      });
      for (let k = 0; k < subjects.length; k++) {
        const index = (k + run) % subjects.length;
        const subject = subjects[index]!;
        progress(`${backend}: run ${run + 1}/${options.runs}, mixed, ${subject.name}`);
        mixedRuns[index]!.push(await runMixed(subject, options, 'per-client'));
        progress(`${backend}: run ${run + 1}/${options.runs}, mixed in one scope, ${subject.name}`);
        oneScopeRuns[index]!.push(await runMixed(subject, options, 'one-scope'));
      }
    }
    // Once, not per run: its growth is measured within the one stream, not across runs.
    // `--mixed-only` means the mixed runs alone: no stream either.
    const stream = options.mixedOnly
      ? undefined
      : (await runIsolatedStreams(backend, options, (line) => progress(`${backend}: ${line}`)))
          .stream;
    const results: SubjectResult[] = subjects.map((subject, s) => {
      const workloads: SubjectResult['workloads'] = {};
      WORKLOADS.forEach((workload: WorkloadName, w) => {
        const runs = perRun[s]![w]!;
        if (runs.length > 0) workloads[workload] = { runs, median: medianOfRuns(runs) };
      });
      const mixed = mixedRuns[s]!;
      const oneScope = oneScopeRuns[s]!;
      return {
        name: subject.name,
        role: subject.role,
        ...(subject.wraps ? { wraps: subject.wraps } : {}),
        ...(subject.variantOf ? { variantOf: subject.variantOf } : {}),
        workloads,
        ...(mixed.length > 0 ? { mixed: { runs: mixed, median: medianOfMixedRuns(mixed) } } : {}),
        ...(oneScope.length > 0
          ? { mixedOneScope: { runs: oneScope, median: medianOfMixedRuns(oneScope) } }
          : {}),
      };
    });
    return {
      backend,
      settings,
      ...(notes ? { notes } : {}),
      seedSeconds,
      subjects: results,
      ...(stream ? { stream } : {}),
    };
  } finally {
    for (const subject of subjects) await subject.close();
    await cleanup?.();
  }
}

/** Only the stream workload on one backend's subjects: nothing seeded, no other workload. */
async function streamBackend(
  backend: BackendName | 'memory',
  options: BenchOptions,
): Promise<BackendResult> {
  const { stream, settings, notes } = await runIsolatedStreams(backend, options, (line) =>
    progress(`${backend}: ${line}`),
  );
  return { backend, settings, ...(notes ? { notes } : {}), seedSeconds: 0, subjects: [], stream };
}

/** The scaling run of each backend's adapter (the other subjects are set up, not measured). */
async function scaleBackend(backend: BackendName, options: BenchOptions): Promise<ScalingResult> {
  const { subjects, settings, cleanup } = await subjectsOf(backend);
  try {
    const adapter = subjects.find((subject) => subject.role === 'adapter');
    if (!adapter) throw new Error(`${backend}: no adapter subject`);
    return await runScaling(backend, settings, adapter, options, progress);
  } finally {
    for (const subject of subjects) await subject.close();
    await cleanup?.();
  }
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2), join(repoRoot, 'bench-results'));
  // Read first: a bad path fails the run before it measures anything.
  const baseline = options.baseline ? readBaseline(options.baseline) : undefined;
  const startedAt = new Date().toISOString();
  const backends: BackendResult[] = [];
  const scaling: ScalingResult[] = [];
  if (options.scaling) {
    for (const backend of options.backends) scaling.push(await scaleBackend(backend, options));
  } else {
    for (const backend of [...options.backends, 'memory' as const]) {
      const run = options.streamOnly ? streamBackend : benchBackend;
      backends.push(await run(backend, options));
    }
  }
  const measured: BenchReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machineInfo(),
    options,
    backends,
    ...(options.scaling ? { scaling } : {}),
  };
  const report: BenchReport = baseline
    ? {
        ...measured,
        baseline: { startedAt: baseline.startedAt, points: comparePoints(measured, baseline) },
      }
    : measured;
  const markdown = renderMarkdown(report);
  mkdirSync(options.outDir, { recursive: true });
  const mode = options.scaling
    ? 'scaling-'
    : `${options.streamOnly ? 'stream-' : ''}${options.quick ? 'quick-' : ''}`;
  const stem = `bench-${mode}${startedAt.replace(/[:.]/g, '-')}`;
  writeFileSync(join(options.outDir, `${stem}.md`), `${markdown}\n`);
  writeFileSync(join(options.outDir, `${stem}.json`), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${markdown}\n`);
  progress(`wrote ${join(options.outDir, stem)}.{md,json}`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});

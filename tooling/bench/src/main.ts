import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BackendName, type BenchOptions, parseBenchOptions } from './options.js';
import {
  type BackendResult,
  type BenchReport,
  machineInfo,
  renderMarkdown,
  type SubjectResult,
} from './report.js';
import { type LatencyStats, medianOfRuns, summarize } from './stats.js';
import type { Subject } from './subject.js';
import { sdkMemorySubject } from './subjects/memory.js';
import { postgresSubjects } from './subjects/postgres-subjects.js';
import { sqliteSubjects } from './subjects/sqlite-subjects.js';
import {
  runWorkloads,
  type SeededScope,
  seedScope,
  WORKLOADS,
  type WorkloadName,
} from './workloads.js';

const repoRoot = new URL('../../..', import.meta.url).pathname;

const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function subjectsOf(
  backend: BackendName | 'memory',
): Promise<{ subjects: Subject[]; settings: string }> {
  switch (backend) {
    case 'sqlite':
      return sqliteSubjects();
    case 'postgres':
      return postgresSubjects();
    case 'memory':
      return {
        subjects: [sdkMemorySubject()],
        settings: 'process memory, no durability (reference only)',
      };
  }
}

/** Seeds each subject, then runs every workload `runs` times, rotating the subjects' order. */
async function benchBackend(
  backend: BackendName | 'memory',
  options: BenchOptions,
): Promise<BackendResult> {
  const { subjects, settings } = await subjectsOf(backend);
  try {
    const seedStart = performance.now();
    const seeded: SeededScope[] = [];
    for (const subject of subjects) {
      progress(`${backend}: seeding ${options.scopeSize} tasks into ${subject.name}`);
      seeded.push(await seedScope(subject, options));
    }
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const perRun: LatencyStats[][][] = subjects.map(() => WORKLOADS.map(() => []));
    for (let run = 0; run < options.runs; run++) {
      for (let k = 0; k < subjects.length; k++) {
        const index = (k + run) % subjects.length;
        const subject = subjects[index]!;
        progress(`${backend}: run ${run + 1}/${options.runs}, ${subject.name}`);
        const samples = await runWorkloads(subject, seeded[index]!, options);
        WORKLOADS.forEach((workload, w) => {
          const taken = samples[workload];
          if (taken && taken.length > 0) perRun[index]![w]!.push(summarize(taken));
        });
      }
    }
    const results: SubjectResult[] = subjects.map((subject, s) => {
      const workloads: SubjectResult['workloads'] = {};
      WORKLOADS.forEach((workload: WorkloadName, w) => {
        const runs = perRun[s]![w]!;
        if (runs.length > 0) workloads[workload] = { runs, median: medianOfRuns(runs) };
      });
      return {
        name: subject.name,
        role: subject.role,
        ...(subject.wraps ? { wraps: subject.wraps } : {}),
        workloads,
      };
    });
    return { backend, settings, seedSeconds, subjects: results };
  } finally {
    for (const subject of subjects) await subject.close();
  }
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2), join(repoRoot, 'bench-results'));
  const startedAt = new Date().toISOString();
  const backends: BackendResult[] = [];
  for (const backend of [...options.backends, 'memory' as const]) {
    backends.push(await benchBackend(backend, options));
  }
  const report: BenchReport = { startedAt, machine: machineInfo(), options, backends };
  const markdown = renderMarkdown(report);
  mkdirSync(options.outDir, { recursive: true });
  const stem = `bench-${options.quick ? 'quick-' : ''}${startedAt.replace(/[:.]/g, '-')}`;
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

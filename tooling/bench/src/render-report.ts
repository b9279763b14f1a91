import type { MixedStats } from './mixed.js';
import { pointBaselineTable } from './point-baseline.js';
import { streamTable } from './render-stream.js';
import type { BackendResult, BenchReport, ScalingResult, SubjectResult } from './report.js';
import {
  CACHE_HIT_WORKLOADS,
  checkTargets,
  p50Of,
  speed,
  type TargetCheck,
  wrapperCosts,
} from './targets.js';
import { WORKLOADS } from './workload-names.js';

const fmt = (value: number | undefined, digits = 0) =>
  value === undefined ? '–' : value.toFixed(digits);
const ratio = (value: number | undefined) => (value === undefined ? '–' : `${value.toFixed(2)}x`);

function header(report: BenchReport): string[] {
  const { machine, options } = report;
  const mode = options.scaling ? ' — **scaling run**' : options.quick ? ' — **quick mode**' : '';
  const lines = [
    `Run ${report.startedAt} to ${report.finishedAt}${mode}: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}.`,
  ];
  if (options.scaling) {
    lines.push(
      `Scaling: sizes ${options.scalingSizes.join(', ')} in one scope, then ${options.scalingSizes.at(-1)} over ${options.scalingScopes} scopes; ${options.ops} timed ops per measurement after ${options.warmup} warm-up ops (first and deep page alternating), median of ${options.runs} runs; latencies in µs.`,
    );
  } else if (options.streamOnly) {
    lines.push(
      `**Stream run**: ${options.streamChunks} artifact chunks and ${options.streamMessages} history messages of ${options.streamChunkSize} characters; no other workload.`,
    );
  } else {
    lines.push(
      `Scope of ${options.scopeSize} tasks, deep page = page ${options.deepPage} (page size 50), ${options.ops} timed ops per workload after ${options.warmup} warm-up ops, median of ${options.runs} runs. One client, sequential calls, the subjects of a backend interleaved op by op (each op runs on every subject before the next; the first subject moves on by one each op; the first and deep pages alternate, as they are judged against each other); latencies in µs.`,
      `Mixed: ${options.clients} concurrent clients, ${options.mixedOps} ops per run (25% save new, 25% update, 35% load, 15% first page; each client in its own scope, every answer checked; one subject at a time, their order rotating per run). Mixed in one scope: the same with all ${options.clients} clients in one scope (one busy owner), loads checked exactly, pages and totalSize against what was settled before and started by the end of each call.`,
      'Speed columns: the reference p50 divided by the subject p50 (above 1 = faster than the reference). The floors do no count in `list` (totalSize), the other subjects do.',
    );
  }
  lines.push('');
  return lines;
}

function workloadTable(backend: BackendResult): string[] {
  // A stream-only run measures no workload: no empty table.
  if (backend.subjects.length === 0) return [];
  const floor = backend.subjects.find((s) => s.role === 'floor');
  const sdk = backend.subjects.find((s) => s.role === 'sdk');
  const lines = [
    '| workload | subject | p50 µs | p99 µs | ops/s | vs floor | vs SDK store |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const workload of WORKLOADS) {
    for (const subject of backend.subjects) {
      const stats = subject.workloads[workload]?.median;
      if (!stats) continue;
      const vsFloor =
        subject.role === 'floor' ? undefined : speed(p50Of(floor, workload), stats.p50);
      const vsSdk = subject.role === 'sdk' ? undefined : speed(p50Of(sdk, workload), stats.p50);
      lines.push(
        `| ${workload} | ${subject.name} | ${fmt(stats.p50)} | ${fmt(stats.p99)} | ${fmt(stats.opsPerSec)} | ${ratio(vsFloor)} | ${ratio(vsSdk)} |`,
      );
    }
  }
  lines.push('');
  return lines;
}

function mixedTable(
  backend: BackendResult,
  title: string,
  pick: (subject: SubjectResult) => MixedStats | undefined,
): string[] {
  const withMixed = backend.subjects.filter((s) => pick(s));
  if (withMixed.length === 0) return [];
  const floorSubject = backend.subjects.find((s) => s.role === 'floor');
  const sdkSubject = backend.subjects.find((s) => s.role === 'sdk');
  const floor = floorSubject && pick(floorSubject);
  const sdk = sdkSubject && pick(sdkSubject);
  const lines = [
    `${title} (throughput of all clients together; latency over every op, and over the loads; CPU per op of the bench process, every subject's client side, and of the rest of the host, the database server, from /proc/stat):`,
    '',
    '| subject | clients | ops | ops/s | p50 µs | p99 µs | load p99 µs | throughput vs floor | vs SDK store | load p99 vs floor | bench CPU µs/op | other CPU µs/op |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const subject of withMixed) {
    const mixed = pick(subject)!;
    const vsFloor =
      subject.role === 'floor' || !floor ? undefined : mixed.opsPerSec / floor.opsPerSec;
    const vsSdk = subject.role === 'sdk' || !sdk ? undefined : mixed.opsPerSec / sdk.opsPerSec;
    // Above 1 = the subject's loads wait longer than the floor's.
    const loadVsFloor =
      subject.role === 'floor' || !floor?.loadP99 || mixed.loadP99 === undefined
        ? undefined
        : mixed.loadP99 / floor.loadP99;
    lines.push(
      `| ${subject.name} | ${mixed.clients} | ${mixed.ops} | ${fmt(mixed.opsPerSec)} | ${fmt(mixed.p50)} | ${fmt(mixed.p99)} | ${fmt(mixed.loadP99)} | ${ratio(vsFloor)} | ${ratio(vsSdk)} | ${ratio(loadVsFloor)} | ${fmt(mixed.cpu.benchUs)} | ${fmt(mixed.cpu.otherUs)} |`,
    );
  }
  lines.push('');
  return lines;
}

function wrapperTable(backend: BackendResult): string[] {
  const costs = wrapperCosts(backend);
  if (costs.length === 0) return [];
  const lines = [
    `Wrapper cost over its inner store (wrapper p50 / inner p50, above 1 = slower; cache-hit workloads: ${CACHE_HIT_WORKLOADS.join(', ')}):`,
    '',
    '| workload | wrapper | inner p50 µs | wrapper p50 µs | cost |',
    '|---|---|---:|---:|---:|',
  ];
  for (const cost of costs) {
    lines.push(
      `| ${cost.workload} | ${cost.wrapper} | ${fmt(cost.innerP50)} | ${fmt(cost.wrapperP50)} | ${ratio(cost.cost)} |`,
    );
  }
  lines.push('');
  return lines;
}

/** Each variant's p50 over the p50 of the subject it varies, per workload. */
function variantTable(backend: BackendResult): string[] {
  const lines: string[] = [];
  for (const variant of backend.subjects) {
    if (!variant.variantOf) continue;
    const base = backend.subjects.find((s) => s.name === variant.variantOf);
    if (lines.length === 0) {
      lines.push(
        'Variant cost over the subject it varies (variant p50 / base p50, above 1 = slower):',
        '',
        '| workload | variant | base p50 µs | variant p50 µs | cost |',
        '|---|---|---:|---:|---:|',
      );
    }
    for (const workload of WORKLOADS) {
      const baseP50 = p50Of(base, workload);
      const variantP50 = p50Of(variant, workload);
      if (baseP50 === undefined || variantP50 === undefined) continue;
      lines.push(
        `| ${workload} | ${variant.name} | ${fmt(baseP50)} | ${fmt(variantP50)} | ${ratio(variantP50 / baseP50)} |`,
      );
    }
  }
  if (lines.length > 0) lines.push('');
  return lines;
}

function scalingTable(result: ScalingResult): string[] {
  const lines = [
    `#### scaling: ${result.backend}, ${result.subject}`,
    '',
    `Settings: ${result.settings}.`,
    '',
    '| data | scope holds | first page p50 / p99 µs | deep page | deep p50 / p99 µs | deep / first | load p50 / p99 µs | save p50 / p99 µs | seeding s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const point of result.points) {
    lines.push(
      `| ${point.label} | ${point.scopeTasks} | ${fmt(point.firstPage.p50)} / ${fmt(point.firstPage.p99)} | ${point.deepPageNumber} | ${fmt(point.deepPage.p50)} / ${fmt(point.deepPage.p99)} | ${ratio(point.deepPage.p50 / point.firstPage.p50)} | ${fmt(point.load.p50)} / ${fmt(point.load.p99)} | ${fmt(point.save.p50)} / ${fmt(point.save.p99)} | ${fmt(point.seedSeconds, 1)} |`,
    );
  }
  lines.push('');
  return lines;
}

function targetTable(checks: readonly TargetCheck[]): string[] {
  if (checks.length === 0) return [];
  const lines = [
    "#### Targets (this run; speed ratios, except the wrappers' and the scaling cost ratios)",
    '',
    '| backend | target | measured | |',
    '|---|---|---:|---|',
  ];
  for (const check of checks) {
    const status =
      check.status === 'met'
        ? 'met'
        : check.status === 'missed'
          ? `**missed**${check.why ? `: ${check.why}` : ''}`
          : `not measured: ${check.note}`;
    lines.push(`| ${check.backend} | ${check.target} | ${ratio(check.value)} | ${status} |`);
  }
  lines.push('');
  return lines;
}

/** The markdown report: settings, one section per backend, scaling, then the target checks. */
export function renderMarkdown(report: BenchReport): string {
  const lines = header(report);
  for (const backend of report.backends) {
    lines.push(`#### ${backend.backend}`, '', `Settings: ${backend.settings}.`, '');
    for (const note of backend.notes ?? []) lines.push(`- ${note}`);
    if (backend.notes?.length) lines.push('');
    lines.push(
      ...workloadTable(backend),
      ...mixedTable(
        backend,
        'Mixed workload, each client in its own scope',
        (s) => s.mixed?.median,
      ),
      ...mixedTable(
        backend,
        'Mixed workload, all clients in one scope',
        (s) => s.mixedOneScope?.median,
      ),
      ...wrapperTable(backend),
      ...variantTable(backend),
      ...streamTable(backend),
    );
  }
  for (const result of report.scaling ?? []) lines.push(...scalingTable(result));
  if (report.baseline) {
    lines.push(...pointBaselineTable(report.baseline.points, report.baseline.startedAt));
  }
  lines.push(...targetTable(checkTargets(report)));
  return lines.join('\n');
}

import { cpus, loadavg, totalmem } from 'node:os';
import type { LoadOptions } from './options.js';
import type { BackendLoadResult } from './run-backend.js';
import { AGENT_STEPS, SETTLE_TIMEOUT_MS } from './run-backend.js';

/** The whole report, as written to JSON. */
export interface LoadReport {
  readonly startedAt: string;
  readonly machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    platform: string;
    /** 1-minute load average when the run ended: other work on the machine shows here. */
    loadAverageAtEnd: number;
  };
  readonly options: LoadOptions;
  readonly backends: readonly BackendLoadResult[];
  readonly passed: boolean;
}

export function machineInfo(): Omit<LoadReport['machine'], 'loadAverageAtEnd'> {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

export function currentLoadAverage(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const mib = (kib: number) => (kib / 1024).toFixed(1);

function backendSection(result: BackendLoadResult): string {
  const lines: string[] = [];
  const verdict = result.passed ? 'PASS' : 'FAIL';
  lines.push(`### ${result.backend}: ${verdict}`, '');
  lines.push(`Store: ${result.store}.`, '');
  lines.push(
    `${result.totalCalls} calls in ${result.elapsedSec.toFixed(0)} s ` +
      `(${result.measuredSec.toFixed(0)} s after warm-up: ${result.throughput.toFixed(0)} calls/s answered correctly); ` +
      `${result.tasksCreated} tasks run to completed or canceled; ` +
      `${result.errors.reduce((sum, error) => sum + error.count, 0)} errors. ` +
      `Machine 1-minute load average during the run: mean ${result.loadAverage.mean.toFixed(1)}, max ${result.loadAverage.max.toFixed(1)}.`,
    '',
  );
  lines.push('| operation | calls | errors | p50 ms | p90 ms | p99 ms | max ms |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const op of result.operations) {
    const l = op.latency;
    lines.push(
      `| ${op.operation} | ${op.calls} | ${op.errors} | ${l ? ms(l.p50) : '-'} | ${l ? ms(l.p90) : '-'} | ${l ? ms(l.p99) : '-'} | ${l ? ms(l.max) : '-'} |`,
    );
  }
  lines.push('');
  const m = result.memory;
  lines.push(
    `Agent RSS (MiB): start ${mib(m.startKiB)}, after warm-up ${mib(m.afterWarmupKiB)}, ` +
      `peak ${mib(m.peakKiB)}, end ${mib(m.endKiB)}; growth after warm-up ${mib(m.growthKiB)} ` +
      `(anonymous ${mib(m.growthParts.anonKiB)}, file ${mib(m.growthParts.fileKiB)}, shared ${mib(m.growthParts.shmemKiB)}) ` +
      `(bound < ${mib(m.boundKiB)}: ${m.withinBound ? 'within' : 'EXCEEDED'}), ` +
      `trend ${m.slopeMiBPerMin.toFixed(2)} MiB/min after warm-up, ${m.secondHalfSlopeMiBPerMin.toFixed(2)} MiB/min over its second half ` +
      `(${m.samples.length} one-second samples; after warm-up and end are medians of 10 s windows).`,
    '',
  );
  lines.push(
    `Webhooks: ${result.push.hooks} sends carried a push config; ${result.push.delivered} deliveries received; ` +
      `${result.push.missing} tasks without their completed notification. ` +
      `Executions still running after the drain (up to ${SETTLE_TIMEOUT_MS / 1000} s): ${result.runningTasksAfter}. ` +
      `Agent exit after SIGTERM: code ${result.agentExit.code}${result.agentExit.signal ? ` signal ${result.agentExit.signal}` : ''}.`,
    '',
  );
  const logEntries = Object.entries(result.agentLog.byMessage);
  lines.push(
    `Agent log: ${result.agentLog.errorLines} error and ${result.agentLog.warnLines} warning lines` +
      (logEntries.length > 0
        ? `: ${logEntries.map(([message, count]) => `"${message}" ×${count}`).join('; ')}.`
        : '.'),
    '',
  );
  if (result.errors.length > 0) {
    lines.push('| where | error | count | first messages |', '| --- | --- | ---: | --- |');
    for (const error of result.errors) {
      const samples = error.samples.map((s) => s.replace(/\|/g, '\\|').replace(/\n/g, ' '));
      lines.push(
        `| ${error.operation} | ${error.type} | ${error.count} | ${samples.join('<br>')} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** The markdown report: settings, then one section per backend. */
export function renderMarkdown(report: LoadReport): string {
  const { machine, options } = report;
  const header = [
    `## Load run ${report.startedAt}: ${report.passed ? 'PASS' : 'FAIL'}`,
    '',
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}; ` +
      `1-minute load average at the end ${machine.loadAverageAtEnd} (the machine may be shared).`,
    '',
    `Settings: ${options.clients} concurrent SDK clients (JSON-RPC over loopback HTTP, alice and bob alternating, one tenant), ` +
      `${options.durationSec} s per backend of which ${options.warmupSec} s warm-up (latencies and RSS growth count after it), ` +
      `cap ${options.maxRequests} calls; agent steps ${AGENT_STEPS} × ${options.stepMs} ms, log level warn, development mode ` +
      `(webhooks to the driver's loopback receiver). Mix per scenario: send 20%, send with push config 5%, stream 15%, ` +
      `get 20%, list up to 3 pages of 20 15%, send (return immediately, 100 steps) + cancel 10%, push config create + get 15%.`,
    '',
  ];
  return [...header, ...report.backends.map(backendSection)].join('\n');
}

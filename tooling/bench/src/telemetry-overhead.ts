/**
 * What OpenTelemetry instrumentation costs per store call: the same calls with `@opentelemetry/api`
 * absent (the seam set to null: the code path of a process without the package), with the API but
 * no SDK (the default for most installs), and with the SDK registered and every span sampled
 * (batch span processor to an exporter that drops, metrics aggregated). Modes alternate round by
 * round, in a rotating order, so a host stall lands on all of them alike.
 *
 *   pnpm --filter @a2a-stores/bench bench:telemetry [-- --ops 2000 --rounds 7]
 */
import { parseArgs } from 'node:util';
import { createMemoryStores, type StoreBundle, useOpenTelemetryApi } from '@a2a-stores/core';
import { callContext, makeTask, randomScope } from '@a2a-stores/core/conformance';
import { createSqliteStores } from '@a2a-stores/sqlite';
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import Database from 'better-sqlite3';
import { median, quantile } from './stats.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { ops: { type: 'string' }, rounds: { type: 'string' } },
});
const OPS = Number(values.ops ?? 2000);
const ROUNDS = Number(values.rounds ?? 7);

const dropping: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
};
class IdleReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new BatchSpanProcessor(dropping)],
});
const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
const contextManager = new AsyncLocalStorageContextManager().enable();

type Mode = 'api absent' | 'api, no SDK' | 'SDK, sampled';
const MODES: Mode[] = ['api absent', 'api, no SDK', 'SDK, sampled'];

function enter(mode: Mode): void {
  trace.disable();
  metrics.disable();
  context.disable();
  useOpenTelemetryApi(mode === 'api absent' ? null : undefined);
  if (mode === 'SDK, sampled') {
    context.setGlobalContextManager(contextManager);
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
  }
}

interface Subject {
  readonly name: string;
  readonly stores: StoreBundle;
}
const sqlite = createSqliteStores({ database: new Database(':memory:') });
await sqlite.migrate();
const subjects: Subject[] = [
  { name: 'memory', stores: createMemoryStores({ pushUrlCheck: () => {} }) },
  { name: 'sqlite (:memory:)', stores: sqlite },
];

const ctx = callContext(randomScope());
const task = makeTask({ historyLength: 4 });
for (const { stores } of subjects) await stores.taskStore.save(task, ctx);

const workloads = {
  load: (s: StoreBundle) => s.taskStore.load(task.id, ctx),
  save: (s: StoreBundle) => s.taskStore.save(task, ctx),
} as const;

// samples[subject][workload][mode] = per-round p50 in µs
const p50s = new Map<string, number[]>();
const key = (s: string, w: string, m: Mode) => `${s}|${w}|${m}`;
for (let round = 0; round < ROUNDS; round++) {
  const order = MODES.map((_, i) => MODES[(i + round) % MODES.length]!);
  for (const mode of order) {
    enter(mode);
    for (const subject of subjects) {
      for (const [name, run] of Object.entries(workloads)) {
        for (let i = 0; i < 100; i++) await run(subject.stores);
        const taken: number[] = [];
        for (let i = 0; i < OPS; i++) {
          const start = process.hrtime.bigint();
          await run(subject.stores);
          taken.push(Number(process.hrtime.bigint() - start) / 1000);
        }
        taken.sort((a, b) => a - b);
        const k = key(subject.name, name, mode);
        p50s.set(k, [...(p50s.get(k) ?? []), quantile(taken, 0.5)]);
      }
    }
  }
  process.stderr.write(`[telemetry bench] round ${round + 1}/${ROUNDS}\n`);
}
enter('api absent');
await tracerProvider.shutdown();
await meterProvider.shutdown();
await sqlite.close();

const lines = [
  `Telemetry overhead, p50 µs per call (median of ${ROUNDS} rounds × ${OPS} ops), Node ${process.version}`,
  '',
  '| subject | call | api absent | api, no SDK | SDK, sampled | no SDK Δ | SDK Δ |',
  '|---|---|---:|---:|---:|---:|---:|',
];
for (const subject of subjects) {
  for (const name of Object.keys(workloads)) {
    const [absent, noSdk, sdk] = MODES.map((m) => median(p50s.get(key(subject.name, name, m))!));
    const delta = (v: number) => `${v - absent! >= 0 ? '+' : ''}${(v - absent!).toFixed(2)}`;
    lines.push(
      `| ${subject.name} | ${name} | ${absent!.toFixed(2)} | ${noSdk!.toFixed(2)} | ${sdk!.toFixed(2)} | ${delta(noSdk!)} | ${delta(sdk!)} |`,
    );
  }
}
process.stdout.write(`${lines.join('\n')}\n`);

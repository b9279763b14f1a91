import * as defaultApi from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { type DataPoint, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** The global registration calls, as every `@opentelemetry/api` 1.x version has them. */
export interface RegistrationApi {
  trace: {
    setGlobalTracerProvider(provider: unknown): boolean;
    setSpan(context: never, span: never): unknown;
    disable(): void;
  };
  metrics: { setGlobalMeterProvider(provider: unknown): boolean; disable(): void };
  context: {
    setGlobalContextManager(manager: unknown): boolean;
    active(): unknown;
    with<T>(context: never, fn: () => T): T;
    disable(): void;
  };
}

/** One metric data point, flattened. `value` is the sum for counters, the count for histograms. */
export interface CapturedPoint {
  readonly name: string;
  readonly unit: string;
  readonly attributes: Record<string, unknown>;
  readonly value: number;
  readonly histogram: boolean;
}

class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** The real OpenTelemetry SDK registered globally with in-memory exporters, for assertions. */
export class TelemetryCapture {
  readonly #api: RegistrationApi;
  readonly #exporter = new InMemorySpanExporter();
  readonly #reader = new CollectingReader();
  readonly #tracerProvider: BasicTracerProvider;
  readonly #meterProvider: MeterProvider;
  readonly #contextManager = new AsyncLocalStorageContextManager();

  constructor(api: RegistrationApi = defaultApi as unknown as RegistrationApi) {
    this.#api = api;
    this.#tracerProvider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(this.#exporter)],
    });
    this.#meterProvider = new MeterProvider({ readers: [this.#reader] });
    this.#contextManager.enable();
    if (
      !api.context.setGlobalContextManager(this.#contextManager) ||
      !api.trace.setGlobalTracerProvider(this.#tracerProvider) ||
      !api.metrics.setGlobalMeterProvider(this.#meterProvider)
    ) {
      throw new Error('an OpenTelemetry provider was already registered in this process');
    }
  }

  /**
   * Runs `fn` as the active span of a caller (as the SDK's request handling would), through the
   * registered API; resolves the caller span's id.
   */
  async asCaller(fn: () => Promise<void>): Promise<string> {
    const span = this.#tracerProvider.getTracer('caller').startSpan('request');
    const context = this.#api.trace.setSpan(this.#api.context.active() as never, span as never);
    try {
      await this.#api.context.with(context as never, fn);
    } finally {
      span.end();
    }
    return span.spanContext().spanId;
  }

  spans(): readonly ReadableSpan[] {
    return this.#exporter.getFinishedSpans();
  }

  reset(): void {
    this.#exporter.reset();
  }

  async points(): Promise<CapturedPoint[]> {
    const { resourceMetrics, errors } = await this.#reader.collect();
    if (errors.length > 0) throw errors[0];
    const points: CapturedPoint[] = [];
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        for (const point of metric.dataPoints as DataPoint<unknown>[]) {
          const value = point.value as number | { count: number };
          const histogram = typeof value === 'object';
          points.push({
            name: metric.descriptor.name,
            unit: metric.descriptor.unit,
            attributes: point.attributes,
            value: typeof value === 'object' ? value.count : value,
            histogram,
          });
        }
      }
    }
    return points;
  }

  /** Sum of a metric's points whose attributes include `match`. */
  async total(name: string, match: Record<string, unknown> = {}): Promise<number> {
    let sum = 0;
    for (const point of await this.points()) {
      if (point.name !== name) continue;
      if (Object.entries(match).every(([k, v]) => point.attributes[k] === v)) sum += point.value;
    }
    return sum;
  }

  /**
   * Throws if any span name, span attribute, span event or metric attribute contains one of
   * `secrets` (tenants, owners, task text, tokens the test used).
   */
  async assertNoLeak(secrets: readonly string[]): Promise<void> {
    const values: string[] = [];
    for (const span of this.spans()) {
      values.push(span.name, ...Object.keys(span.attributes));
      values.push(...Object.values(span.attributes).map(String));
      if (span.status.message) values.push(span.status.message);
      for (const event of span.events) {
        values.push(event.name, ...Object.values(event.attributes ?? {}).map(String));
      }
    }
    for (const point of await this.points()) {
      values.push(...Object.values(point.attributes).map(String));
    }
    for (const secret of secrets) {
      if (secret.length < 4) throw new Error(`leak probe "${secret}" is too short to be specific`);
      const hit = values.find((value) => value.includes(secret));
      if (hit !== undefined) throw new Error(`telemetry carries ${JSON.stringify(secret)}: ${hit}`);
    }
  }

  async shutdown(): Promise<void> {
    await this.#tracerProvider.shutdown();
    await this.#meterProvider.shutdown();
    this.#contextManager.disable();
    this.#api.trace.disable();
    this.#api.metrics.disable();
    this.#api.context.disable();
  }
}

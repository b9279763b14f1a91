import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/** The Prometheus scrape endpoint the agent serves when `A2A_AGENT_METRICS_PORT` is set. */
export interface MetricsEndpoint {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Registers the OpenTelemetry metrics SDK globally with a Prometheus exporter on its own port,
 * so the stores' histograms and `a2a_stores_*` counters can be scraped. Registered before the
 * stores run their first call: that is all the stores need to report (they find the registered
 * provider through `@opentelemetry/api`).
 */
export async function startMetricsEndpoint(port: number, host: string): Promise<MetricsEndpoint> {
  const exporter = new PrometheusExporter({ port, host, preventServerStart: true });
  await exporter.startServer();
  const provider = new MeterProvider({ readers: [exporter] });
  if (!metrics.setGlobalMeterProvider(provider)) {
    await provider.shutdown();
    throw new Error('another OpenTelemetry meter provider is already registered');
  }
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}${PrometheusExporter.DEFAULT_OPTIONS.endpoint}`,
    close: () => provider.shutdown(),
  };
}

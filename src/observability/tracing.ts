/**
 * OpenTelemetry traces — HTTP, GraphQL, pg, mongodb and undici (the social provider's fetch) — exported
 * by OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set, nothing otherwise. Loaded by main.ts before
 * anything else, as instrumentation must patch those modules before they are first required; so it
 * reads the OTEL_* variables itself (the OpenTelemetry SDK's own configuration: OTEL_SERVICE_NAME,
 * OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_BSP_SCHEDULE_DELAY, ...). Spans carry no variables, results or
 * statement values: GraphQL spans without the document's literals, pg spans without parameters.
 * The SDK is required only when tracing is on: a server without it does not load it.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- the SDK is loaded only when tracing is on */
export function startTracing(env: NodeJS.ProcessEnv = process.env): { stop(): Promise<void> } | null {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return null;
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { GraphQLInstrumentation } =
    require('@opentelemetry/instrumentation-graphql') as typeof import('@opentelemetry/instrumentation-graphql');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { MongoDBInstrumentation } =
    require('@opentelemetry/instrumentation-mongodb') as typeof import('@opentelemetry/instrumentation-mongodb');
  const { UndiciInstrumentation } =
    require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? 'customer-360',
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => req.url === '/metrics' || req.url === '/healthz' || req.url === '/readyz',
      }),
      new GraphQLInstrumentation({ allowValues: false, mergeItems: true, ignoreTrivialResolveSpans: true }),
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new MongoDBInstrumentation({ enhancedDatabaseReporting: false }),
      new UndiciInstrumentation(),
    ],
  });
  sdk.start();
  return { stop: () => sdk.shutdown() };
}
/* eslint-enable @typescript-eslint/no-require-imports */

import { startTracing } from './observability/tracing';

/** Imported first by main.ts: tracing (when configured) must start before any instrumented module loads. */
export const tracing = startTracing();

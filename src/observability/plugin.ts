import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context';
import { errorsByCode, requestDuration, sourceRoundTrips } from './metrics';

/** Per request: its duration by operation name, its errors by code and its round trips by source. */
export const metricsPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    const started = process.hrtime.bigint();
    return {
      async willSendResponse({ contextValue, response, operationName }) {
        const operation = (operationName ?? 'anonymous').slice(0, 64);
        requestDuration.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
        if (response.body.kind === 'single') {
          for (const e of response.body.singleResult.errors ?? []) errorsByCode.inc({ code: String(e.extensions?.code ?? 'UNKNOWN') });
        }
        for (const [source, n] of Object.entries(contextValue.roundTrips ?? {})) if (n > 0) sourceRoundTrips.inc({ source }, n);
      },
    };
  },
};

import type { SourceName } from '../errors';

/** Round trips made by one request, per source. Created by the context, read by tests and the bench. */
export type RoundTrips = Record<SourceName, number>;

export const noRoundTrips = (): RoundTrips => ({ crm: 0, behaviour: 0, social: 0 });

/** `crm=3,behaviour=0,social=0`: the `x-source-round-trips` response header. */
export const formatRoundTrips = (r: RoundTrips): string =>
  Object.entries(r)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

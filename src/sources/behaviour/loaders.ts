import { loader } from '../batch';
import type { Db } from 'mongodb';
import type { CrmLoaders } from '../crm/loaders';
import type { RoundTrips } from '../roundTrips';
import { behaviourCall } from './client';
import { metricKey, valueFor, type Metric, type ValueOf } from './metrics';
import { addOwner, aggregateMetrics, type Ownership } from './queries';
import { timed } from '../../observability/metrics';

export interface MetricKey<M extends Metric = Metric> {
  customerId: string;
  metric: M;
}

/**
 * The behaviour loader of one request. All metrics requested for all customers of a level form one
 * batch: the customers' anonymous and device identities come from the CRM loader (cached, usually
 * already loaded), then ONE aggregation answers everything, through the store's breaker (client.ts behaviourCall).
 * Counted in `roundTrips.behaviour` when sent.
 */
export function createBehaviourLoaders(opts: {
  db: Db;
  crm: CrmLoaders;
  roundTrips: RoundTrips;
  now: Date;
  maxTimeMS: number;
  batch?: boolean;
}) {
  const metric = loader<MetricKey, unknown, string>(
    'metric',
    async (keys) => {
      const ids = [...new Set(keys.map((k) => k.customerId))];
      const identities = await opts.crm.identities.loadMany(ids);
      const ownership: Ownership = new Map();
      // Two ids of one merged person (its survivor and a merged record) own the same events: they
      // share one owner, the least of the person's record ids.
      const ownerOf = new Map<string, string>();
      ids.forEach((id, i) => {
        const rows = identities[i]!;
        if (rows instanceof Error) throw rows;
        const owner = rows.reduce((least, r) => (r.kind === 'customer_id' && r.value < least ? r.value : least), id);
        ownerOf.set(id, owner);
        addOwner(
          ownership,
          owner,
          rows.map((r) => (r.kind === 'customer_id' && r.value === owner ? { kind: r.kind, value: id } : r)),
        );
      });
      const requests = new Map<string, { metric: Metric; owners: string[] }>();
      for (const k of keys) {
        const key = metricKey(k.metric);
        const r = requests.get(key) ?? { metric: k.metric, owners: [] };
        r.owners.push(ownerOf.get(k.customerId)!);
        requests.set(key, r);
      }
      const results = await behaviourCall(opts.db, () => {
        opts.roundTrips.behaviour += 1;
        return timed('behaviour', () => aggregateMetrics(opts.db, ownership, [...requests.values()], opts.now, opts.maxTimeMS));
      });
      return keys.map((k) => valueFor(k.metric, ownerOf.get(k.customerId)!, (results[metricKey(k.metric)] ?? []) as never));
    },
    { cacheKeyFn: (k) => `${k.customerId}\u0000${metricKey(k.metric)}`, batch: opts.batch ?? true },
  );
  return {
    metric: <M extends Metric>(customerId: string, m: M) => metric.load({ customerId, metric: m }) as Promise<ValueOf<M>>,
  };
}

export type BehaviourLoaders = ReturnType<typeof createBehaviourLoaders>;

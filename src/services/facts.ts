import type { DerivationScope } from '../context';
import { ConsentPurpose, Source } from '../enums';
import { badUserInput, consentRequired, SourceError } from '../errors';
import { withinDaysStart } from '../insights/time';
import type { ActivityRow } from '../sources/behaviour/metrics';
import type { CrmFactsRow, FactBounds } from '../sources/crm/facts';
import type { SocialAccount } from '../sources/social/contract';
import type { SocialParent, SourceMetaParent } from '../parents';
import { socialOf } from './social';

/**
 * The facts the derived fields read, per customer and instant, each loaded through the request's
 * loaders at most once. Every field starts all the loads it may need at once, before awaiting any
 * (`prefetch`), so the fields and customers of a level share one batch per source.
 */

export interface SourceFailure {
  source: Source;
  error: SourceError;
}
export type Attempt<T> = { ok: true; value: T } | ({ ok: false } & SourceFailure);

/** The instant a field is computed for: `asOf`, or the request's now; never in the future. */
export function asOfFor(ctx: DerivationScope, asOf: Date | null | undefined): Date {
  if (asOf == null) return ctx.now;
  if (asOf.getTime() > ctx.now.getTime()) throw badUserInput('`asOf` cannot be in the future.', 'asOf');
  return asOf;
}

/** Per scope (a request or a snapshot build), the bounds of each instant: one object per instant, so loaders key on it cheaply. */
const boundsByScope = new WeakMap<DerivationScope, Map<number, FactBounds>>();

function bounds(ctx: DerivationScope, asOf: Date): FactBounds {
  let byInstant = boundsByScope.get(ctx);
  if (!byInstant) boundsByScope.set(ctx, (byInstant = new Map()));
  let b = byInstant.get(asOf.getTime());
  if (!b) byInstant.set(asOf.getTime(), (b = boundsAt(ctx, asOf)));
  return b;
}

function boundsAt(ctx: DerivationScope, asOf: Date): FactBounds {
  const r = ctx.rules;
  return {
    asOf,
    rfmWindowStart: withinDaysStart(asOf, r.rfm.windowDays),
    recentStart: withinDaysStart(asOf, r.churn.frequencyWindowDays),
    priorStart: withinDaysStart(asOf, 2 * r.churn.frequencyWindowDays),
    reactivationStart: withinDaysStart(asOf, r.lifecycle.reactivationWindowDays),
    badRatingStart: withinDaysStart(asOf, r.churn.badRatingDays),
    badRating: r.churn.badRating,
  };
}

async function attempt<T>(source: Source, p: Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    if (e instanceof SourceError) return { ok: false, source, error: e };
    throw e;
  }
}

export const failureOf = <T>(a: Attempt<T>): SourceFailure | null => (a.ok ? null : { source: a.source, error: a.error });

export interface BehaviourSummary {
  sessions30d: number;
  events30d: Record<string, number>;
  channels90d: Record<string, number>;
  topChannel: string | null;
  topChannelShare: number;
  deviceTypes90d: Record<string, number>;
  mobileShare: number;
}

export class Facts {
  private readonly memo = new Map<string, Promise<unknown>>();
  /** The windows every derivation of this instant counts in (the rules' days as instants), computed once. */
  readonly bounds: FactBounds;

  constructor(
    private readonly ctx: DerivationScope,
    readonly customerId: string,
    readonly asOf: Date,
  ) {
    this.bounds = bounds(ctx, asOf);
  }

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) this.memo.set(key, (p = load()));
    return p;
  }

  crm(): Promise<CrmFactsRow> {
    return this.once('crm', async () => {
      const row = await this.ctx.crm.loaders.facts.load({ customerId: this.customerId, bounds: this.bounds });
      if (!row) throw new Error(`customer ${this.customerId} vanished during the request`);
      return row;
    });
  }

  async requireConsent(purpose: ConsentPurpose): Promise<CrmFactsRow> {
    const crm = await this.crm();
    if (!hasConsent(crm, purpose)) throw consentRequired(purpose);
    return crm;
  }

  activity(): Promise<Attempt<ActivityRow>> {
    const r = this.ctx.rules;
    return this.once('activity', () =>
      attempt(
        Source.BEHAVIOUR,
        this.ctx.behaviour.metric(this.customerId, {
          kind: 'activity',
          asOf: this.asOf.getTime(),
          recentStart: this.bounds.reactivationStart.getTime(),
          potentialStart: withinDaysStart(this.asOf, r.valueTier.potentialEventDays).getTime(),
        }),
      ),
    );
  }

  interestRows(): Promise<Attempt<{ category: string; weight: number }[]>> {
    const i = this.ctx.rules.interests;
    return this.once('interests', () =>
      attempt(
        Source.BEHAVIOUR,
        this.ctx.behaviour.metric(this.customerId, {
          kind: 'interests',
          asOf: this.asOf.getTime(),
          halfLifeDays: i.halfLifeDays,
          weights: Object.entries(i.eventWeights),
        }),
      ),
    );
  }

  behaviourSummary(): Promise<Attempt<BehaviourSummary>> {
    return this.once('behaviourSummary', () => {
      const asOf = this.asOf.getTime();
      const metric = this.ctx.behaviour.metric;
      return attempt(
        Source.BEHAVIOUR,
        Promise.all([
          metric(this.customerId, { kind: 'sessions', days: 30, asOf }),
          metric(this.customerId, { kind: 'eventCounts', days: 30, asOf }),
          metric(this.customerId, { kind: 'channels', days: 90, asOf }),
          metric(this.customerId, { kind: 'deviceTypes', days: 90, asOf }),
        ]).then(([sessions, counts, channels, devices]) => {
          const total = (rows: { events: number }[]) => rows.reduce((s, r) => s + r.events, 0) || 1;
          const channelTotal = total(channels);
          const deviceTotal = total(devices);
          return {
            sessions30d: sessions,
            events30d: Object.fromEntries(counts.map((c) => [c.type, c.count])),
            channels90d: Object.fromEntries(channels.map((c) => [c.channel, c.events / channelTotal])),
            topChannel: channels[0]?.channel ?? null,
            topChannelShare: channels[0] ? channels[0].events / channelTotal : 0,
            deviceTypes90d: Object.fromEntries(devices.map((d) => [d.type, d.events / deviceTotal])),
            mobileShare: (devices.find((d) => d.type === 'mobile')?.events ?? 0) / deviceTotal,
          };
        }),
      );
    });
  }

  /** The customer's social accounts with a year of posts before asOf. */
  async social(): Promise<Attempt<SocialAccount[]>> {
    const got = await this.socialFetched();
    return got.ok ? { ok: true, value: got.value.accounts } : got;
  }

  /** The same, with when they were fetched and whether from the cache. */
  private socialFetched(): Promise<Attempt<SocialParent>> {
    return this.once('social', () => attempt(Source.SOCIAL, socialOf(this.ctx, this.customerId, this.asOf)));
  }

  /**
   * Where a value computed from `needs` comes from (its `meta`): the CRM and the behaviour store as
   * read in this request, social data as fetched (perhaps earlier, from the cache). A source that
   * failed is left out: the value's missingSources names it.
   */
  async sources(needs: Needs): Promise<SourceMetaParent[]> {
    const read = (source: Source): SourceMetaParent => ({
      source,
      asOf: this.asOf,
      fetchedAt: this.ctx.now,
      cached: false,
      now: this.ctx.now,
    });
    const out = [read(Source.CRM)];
    const behaviour = needs.activity
      ? this.activity()
      : needs.interests
        ? this.interestRows()
        : needs.behaviourSummary
          ? this.behaviourSummary()
          : null;
    if (behaviour && (await behaviour).ok) out.push(read(Source.BEHAVIOUR));
    if (needs.social) {
      const social = await this.socialFetched();
      if (social.ok)
        out.push({
          source: Source.SOCIAL,
          asOf: this.asOf,
          fetchedAt: social.value.fetchedAt,
          cached: social.value.cached,
          now: this.ctx.now,
        });
    }
    return out;
  }

  /** Starts every load named, at once; the CRM facts always. */
  prefetch(needs: Needs): void {
    void this.crm().catch(() => undefined);
    if (needs.activity) void this.activity();
    if (needs.interests) void this.interestRows();
    if (needs.behaviourSummary) void this.behaviourSummary();
    if (needs.social) void this.social();
  }
}

/** The loads besides the CRM facts a computation may need (services/insights.ts FIELD_NEEDS says which field needs which). */
export interface Needs {
  activity?: boolean;
  interests?: boolean;
  behaviourSummary?: boolean;
  social?: boolean;
}

/** Every load any of `needs` names. */
export const allNeeds = (...needs: Needs[]): Needs => ({
  activity: needs.some((n) => n.activity),
  interests: needs.some((n) => n.interests),
  behaviourSummary: needs.some((n) => n.behaviourSummary),
  social: needs.some((n) => n.social),
});

export const hasConsent = (crm: CrmFactsRow, purpose: ConsentPurpose): boolean =>
  crm.consents.some((c) => c.purpose === purpose && c.granted);

/** The Facts of a customer as of an instant, shared by every field of the request that needs them. */
export function factsOf(ctx: DerivationScope, customerId: string, asOf: Date): Facts {
  const key = `${customerId}\u0000${asOf.getTime()}`;
  let facts = ctx.insightFacts.get(key) as Facts | undefined;
  if (!facts) ctx.insightFacts.set(key, (facts = new Facts(ctx, customerId, asOf)));
  return facts;
}

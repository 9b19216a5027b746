import { LRUCache } from 'lru-cache';
import { GraphQLError } from 'graphql';
import type { Config } from '../config';
import { customerBudgetRefusals } from '../observability/metrics';
import { canList, isPartnerOnly, type Principal } from './principal';

const HOUR_MS = 3_600_000;

/** One caller's hour: when it ends and the customers read in it. */
interface Window {
  until: number;
  ids: Set<string>;
}

/** What a request may still read; `take` counts customers not read yet this hour. */
export interface CallerBudget {
  /**
   * True when every customer fits (counting the new ones), false (counting none) when they do not;
   * once the budget is spent, also false for an answer without any customer read this hour (none included).
   */
  take(customerIds: readonly string[]): boolean;
  /** The refusal to answer with once take said false. */
  refusal(): GraphQLError;
}

export const UNLIMITED: CallerBudget = { take: () => true, refusal: () => new GraphQLError('unreachable') };

/**
 * Distinct customers per caller per hour, for the callers that read one customer at a time: agents
 * (AGENT_CUSTOMERS_PER_HOUR) and partners (PARTNER_CUSTOMERS_PER_HOUR, per key). A console reads the
 * caller in front of it, again and again (a customer already read this hour costs nothing), not the
 * customer base one record after another. Analysts and admins list customers by right and are not
 * counted. A caller's hour starts at its first read. In memory, so each replica counts alone (as the
 * request rate limits do; docs/security.md "Limits").
 */
export class CustomerBudget {
  private readonly windows = new LRUCache<string, Window>({ max: 100_000, ttl: HOUR_MS });

  constructor(
    private readonly config: Pick<Config, 'AGENT_CUSTOMERS_PER_HOUR' | 'PARTNER_CUSTOMERS_PER_HOUR'>,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The per-hour limit of this caller; null when it is not counted. */
  limitOf(principal: Principal): number | null {
    if (isPartnerOnly(principal)) return this.config.PARTNER_CUSTOMERS_PER_HOUR;
    return canList(principal) ? null : this.config.AGENT_CUSTOMERS_PER_HOUR;
  }

  forCaller(principal: Principal): CallerBudget {
    const limit = this.limitOf(principal);
    if (limit === null) return UNLIMITED;
    const caller = `${principal.auth}:${principal.subject}`;
    const role = isPartnerOnly(principal) ? 'partner' : 'agent';
    let window: Window | undefined;
    return {
      take: (customerIds) => {
        const now = this.clock();
        window = this.windows.get(caller);
        if (!window || window.until <= now) this.windows.set(caller, (window = { until: now + HOUR_MS, ids: new Set() }));
        const fresh = new Set(customerIds.filter((id) => !window!.ids.has(id)));
        const room = limit - window.ids.size;
        // Once the budget is spent, an answer holding no customer read before is refused whether it
        // holds a new one or none: "null" beside "refused" would say which ids and identifiers exist.
        if (fresh.size > room || (room <= 0 && customerIds.every((id) => fresh.has(id)))) {
          customerBudgetRefusals.inc({ role });
          return false;
        }
        for (const id of fresh) window.ids.add(id);
        return true;
      },
      refusal: () => {
        const retryAfterSeconds = Math.max(1, Math.ceil(((window?.until ?? 0) - this.clock()) / 1000));
        return new GraphQLError(
          `This caller has read the ${limit} distinct customers it may read per hour (${role}s read one customer at a time); customers already read this hour still answer, others in ${Math.ceil(retryAfterSeconds / 60)} min.`,
          {
            extensions: {
              code: 'BUDGET_EXHAUSTED',
              retryAfterSeconds,
              http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
            },
          },
        );
      },
    };
  }
}

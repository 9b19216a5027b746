import { GraphQLError } from 'graphql';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config';
import { customerBudgetRefusals } from '../observability/metrics';
import { memoryCounters, type Counters } from './counters';
import { canList, isPartnerOnly, type Principal } from './principal';

const HOUR_S = 3600;

/**
 * Added to a customer's mark once its read is counted: a mark above it says the caller read that
 * customer within the hour. Below it, only first reads still being counted (or refused) touched it.
 */
const COUNTED = 1_000_000;

/** What a request may still read; `take` counts customers not read yet this hour. */
export interface CallerBudget {
  /**
   * True when every customer fits (counting the new ones), false (counting none) when they do not;
   * once the budget is spent, also false for an answer without any customer read this hour (none
   * included). A promise for counted callers (the counters may be in Redis), a boolean for the others.
   */
  take(customerIds: readonly string[]): boolean | Promise<boolean>;
  /** The refusal to answer with once take said false. */
  refusal(): GraphQLError;
}

export const UNLIMITED: CallerBudget = { take: () => true, refusal: () => new GraphQLError('unreachable') };

/**
 * Distinct customers per caller per hour, for the callers that read one customer at a time: agents
 * (AGENT_CUSTOMERS_PER_HOUR) and partners (PARTNER_CUSTOMERS_PER_HOUR, per key). A console reads the
 * caller in front of it, again and again (a customer read within the last hour costs nothing), not
 * the customer base one record after another. Analysts and admins list customers by right and are
 * not counted. Two counters (`counters`: the replicas' shared Redis with REDIS_URL, else this
 * process's memory): the customers counted in the caller's hour, which starts at its first counted
 * read, and a mark per caller and customer, kept an hour from that customer's first read. Two first
 * reads of one customer at the same moment may both be counted (never neither).
 */
export class CustomerBudget {
  private readonly marks: RateLimiterAbstract;
  private readonly spent = new Map<number, RateLimiterAbstract>();

  constructor(
    private readonly config: Pick<Config, 'AGENT_CUSTOMERS_PER_HOUR' | 'PARTNER_CUSTOMERS_PER_HOUR'>,
    private readonly counters: Counters = memoryCounters,
  ) {
    this.marks = counters({ keyPrefix: 'budget-read', points: COUNTED, duration: HOUR_S });
  }

  /** The per-hour limit of this caller; null when it is not counted. */
  limitOf(principal: Principal): number | null {
    if (isPartnerOnly(principal)) return this.config.PARTNER_CUSTOMERS_PER_HOUR;
    return canList(principal) ? null : this.config.AGENT_CUSTOMERS_PER_HOUR;
  }

  private spentOf(limit: number): RateLimiterAbstract {
    let spent = this.spent.get(limit);
    if (!spent) this.spent.set(limit, (spent = this.counters({ keyPrefix: 'budget', points: limit, duration: HOUR_S })));
    return spent;
  }

  forCaller(principal: Principal): CallerBudget {
    const limit = this.limitOf(principal);
    if (limit === null) return UNLIMITED;
    const caller = `${principal.auth}:${principal.subject}`;
    const role = isPartnerOnly(principal) ? 'partner' : 'agent';
    const spent = this.spentOf(limit);
    const mark = (id: string) => `${caller}:${id}`;
    let retryMs = HOUR_S * 1000;
    const refuse = (res: RateLimiterRes) => {
      retryMs = res.msBeforeNext;
      customerBudgetRefusals.inc({ role });
      return false;
    };
    return {
      take: async (customerIds) => {
        const ids = [...new Set(customerIds)];
        const marked = await Promise.all(ids.map((id) => this.marks.penalty(mark(id), 1)));
        const fresh = ids.filter((_, i) => marked[i]!.consumedPoints <= COUNTED);
        if (fresh.length === 0) {
          if (ids.length > 0) return true;
          // Once the budget is spent, an answer holding no customer is refused as one holding a new one:
          // "null" beside "refused" would say which ids and identifiers exist.
          const now = await spent.get(caller);
          return now !== null && now.consumedPoints >= limit ? refuse(now) : true;
        }
        try {
          await spent.consume(caller, fresh.length);
        } catch (e) {
          if (!(e instanceof RateLimiterRes)) throw e;
          await Promise.all([spent.reward(caller, fresh.length), ...fresh.map((id) => this.marks.reward(mark(id), 1))]);
          return refuse(e);
        }
        await Promise.all(fresh.map((id) => this.marks.penalty(mark(id), COUNTED)));
        return true;
      },
      refusal: () => {
        const retryAfterSeconds = Math.max(1, Math.ceil(retryMs / 1000));
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

import type { DerivationRules } from './rules';
import { DAY_MS, daysSince, earliest, latest } from './time';

export enum LifecycleStage {
  PROSPECT = 'PROSPECT',
  NEW = 'NEW',
  ACTIVE = 'ACTIVE',
  AT_RISK = 'AT_RISK',
  DORMANT = 'DORMANT',
  CHURNED = 'CHURNED',
  REACTIVATED = 'REACTIVATED',
}

/**
 * Activity of one source around the reactivation window: its latest instant, its earliest instant
 * inside the window and its latest instant before it (null: none, or the source is unavailable).
 */
export interface SourceActivity {
  last: Date | null;
  earliestRecent: Date | null;
  latestBefore: Date | null;
}

export interface LifecycleInput {
  customerCreatedAt: Date;
  completedOrders: number;
  firstOrderAt: Date | null;
  /** Completed orders, behaviour events and brand-mentioning posts, from the sources available. */
  activity: SourceActivity[];
}

export interface Lifecycle {
  stage: LifecycleStage;
  /** When the stage began as far as the facts tell; null for ACTIVE (ongoing activity has no one start). */
  since: Date | null;
  lastActivityAt: Date | null;
  daysSinceLastActivity: number | null;
}

/** The BRIEF's lifecycle rules, first match wins: PROSPECT, NEW, REACTIVATED, ACTIVE, AT_RISK, DORMANT, CHURNED. */
export function lifecycle(input: LifecycleInput, rules: DerivationRules, asOf: Date): Lifecycle {
  const l = rules.lifecycle;
  const lastActivityAt = latest(...input.activity.map((a) => a.last));
  const days = lastActivityAt ? daysSince(asOf, lastActivityAt) : null;
  const base = { lastActivityAt, daysSinceLastActivity: days };
  if (input.completedOrders === 0 || !input.firstOrderAt)
    return { stage: LifecycleStage.PROSPECT, since: input.customerCreatedAt, ...base };
  if (daysSince(asOf, input.firstOrderAt) <= l.newDays) return { stage: LifecycleStage.NEW, since: input.firstOrderAt, ...base };
  const comeback = earliest(...input.activity.map((a) => a.earliestRecent));
  const before = latest(...input.activity.map((a) => a.latestBefore));
  if (comeback && before && daysSince(comeback, before) >= l.reactivationGapDays) {
    return { stage: LifecycleStage.REACTIVATED, since: comeback, ...base };
  }
  // Past activeDays (and the other boundaries) on the day after the last activity aged past them.
  const aged = (n: number) => new Date(lastActivityAt!.getTime() + (n + 1) * DAY_MS);
  if (days === null || days > l.dormantDays) {
    return { stage: LifecycleStage.CHURNED, since: lastActivityAt ? aged(l.dormantDays) : null, ...base };
  }
  if (days <= l.activeDays) return { stage: LifecycleStage.ACTIVE, since: null, ...base };
  if (days <= l.atRiskDays) return { stage: LifecycleStage.AT_RISK, since: aged(l.activeDays), ...base };
  return { stage: LifecycleStage.DORMANT, since: aged(l.atRiskDays), ...base };
}

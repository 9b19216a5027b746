import type { Rfm } from './rfm';
import type { DerivationRules } from './rules';

export enum ValueTier {
  HIGH_VALUE = 'HIGH_VALUE',
  REGULAR = 'REGULAR',
  POTENTIAL = 'POTENTIAL',
  LOW = 'LOW',
}

/**
 * HIGH_VALUE when F and M reach the rule's scores; else REGULAR with any completed order; else
 * POTENTIAL with a recent behaviour event (`recentEvents`, needed only then); else LOW.
 */
export function valueTier(r: Rfm, completedOrders: number, recentEvents: () => number, rules: DerivationRules): ValueTier {
  if (r.frequency >= rules.valueTier.highValueMinFrequency && r.monetary >= rules.valueTier.highValueMinMonetary)
    return ValueTier.HIGH_VALUE;
  if (completedOrders > 0) return ValueTier.REGULAR;
  return recentEvents() > 0 ? ValueTier.POTENTIAL : ValueTier.LOW;
}

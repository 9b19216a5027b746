import { ChurnLevel, type ChurnRisk } from './churn';
import { LifecycleStage, type Lifecycle } from './lifecycle';
import { ValueTier } from './valueTier';

export enum ServiceHintCode {
  OPEN_TICKETS = 'OPEN_TICKETS',
  BAD_RATING = 'BAD_RATING',
  VIP_ROUTING = 'VIP_ROUTING',
  RETENTION_OFFER = 'RETENTION_OFFER',
  WIN_BACK = 'WIN_BACK',
  ONBOARDING = 'ONBOARDING',
  NO_MARKETING = 'NO_MARKETING',
}

export interface ServiceHint {
  code: ServiceHintCode;
  message: string;
  reason: string;
}

export interface HintInput {
  tier: ValueTier | null;
  lifecycle: Lifecycle | null;
  /** Null without profiling consent or without the facts: no retention hint then. */
  churn: ChurnRisk | null;
  unresolvedTickets: number;
  badRatings: number;
  marketingConsent: boolean;
}

/** What the agent on the call should know first, most urgent first. Pure: every input is a derived value. */
export function serviceHints(h: HintInput): ServiceHint[] {
  const hints: ServiceHint[] = [];
  const hint = (code: ServiceHintCode, message: string, reason: string) => hints.push({ code, message, reason });
  if (h.unresolvedTickets > 0) {
    hint(
      ServiceHintCode.OPEN_TICKETS,
      'Check the open tickets before anything else.',
      `${h.unresolvedTickets} ticket(s) still open or pending`,
    );
  }
  if (h.badRatings > 0) {
    hint(ServiceHintCode.BAD_RATING, 'Acknowledge the last poor experience.', `${h.badRatings} recent ticket(s) rated poorly`);
  }
  if (h.tier === ValueTier.HIGH_VALUE)
    hint(ServiceHintCode.VIP_ROUTING, 'Route to the VIP desk.', 'high-value customer (RFM frequency and monetary scores)');
  if (h.churn?.level === ChurnLevel.HIGH) {
    const top = h.churn.factors[0];
    hint(
      ServiceHintCode.RETENTION_OFFER,
      'Make a retention gesture.',
      `churn risk ${h.churn.score.toFixed(2)}${top ? `, mostly: ${top.detail}` : ''}`,
    );
  }
  const stage = h.lifecycle?.stage;
  if (stage === LifecycleStage.DORMANT || stage === LifecycleStage.CHURNED) {
    hint(
      ServiceHintCode.WIN_BACK,
      'Welcome them back; ask what kept them away.',
      `lifecycle ${stage.toLowerCase()}, ${h.lifecycle!.daysSinceLastActivity ?? '?'} days since the last activity`,
    );
  }
  if (stage === LifecycleStage.NEW) {
    hint(
      ServiceHintCode.ONBOARDING,
      'Help them get started: delivery, returns, membership.',
      `first order on ${h.lifecycle!.since!.toISOString().slice(0, 10)}`,
    );
  }
  if (!h.marketingConsent) {
    hint(ServiceHintCode.NO_MARKETING, 'Do not offer promotions or sign them up for campaigns.', 'no marketing consent');
  }
  return hints;
}

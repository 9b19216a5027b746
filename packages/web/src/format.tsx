import type { ReactNode } from 'react';

/** Shared by both pages: numbers, money, dates and masked values as a person reads them. */
const numbers = new Intl.NumberFormat('en');
export const count = (n: number) => numbers.format(n);
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
/** 12,345.6 → 12.3K: for tight spots (the heat map's cells). */
export const shortMoney = (amount: string) => compact.format(Number(amount));
export const date = (iso: string | null | undefined) => (iso ? new Date(iso).toISOString().slice(0, 10) : '—');
export const dateTime = (iso: string) => new Date(iso).toISOString().slice(0, 16).replace('T', ' ');
/** `AT_RISK` → `At risk`. */
export const label = (value: string) => value.charAt(0).toUpperCase() + value.slice(1).toLowerCase().replace(/_/g, ' ');

export function age(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

/** The API's masks: `l***@example.com`, `李*`, `L. W.`, `+86 138****8000`, `[redacted]`. */
const looksMasked = (value: string) => value.includes('*') || value === '[redacted]';

/**
 * A personal value: as it is, or, when the API masked it for the viewer's role, marked as masked (and
 * said so to screen readers). `masked` says the viewer's role gets masks (names like `L. W.` carry no `*`).
 */
export function Pii({ value, masked, empty = '—' }: { value: string | null | undefined; masked: boolean; empty?: ReactNode }) {
  if (value == null) return <span className="muted">{empty}</span>;
  if (!masked && !looksMasked(value)) return <>{value}</>;
  return (
    <span className="masked" title="Masked for your role">
      <span className="visually-hidden">masked: </span>
      {value}
    </span>
  );
}

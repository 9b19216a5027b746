/** Day arithmetic of the derivation rules: "days since t" = floor((asOf − t) / 24 h). */
export const DAY_MS = 86_400_000;

export const daysSince = (asOf: Date, t: Date): number => Math.floor((asOf.getTime() - t.getTime()) / DAY_MS);

/** The instant after which "days since ≤ n" holds: t > asOf − (n + 1) days. */
export const withinDaysStart = (asOf: Date, n: number): Date => new Date(asOf.getTime() - (n + 1) * DAY_MS);

export const latest = (...ts: (Date | null | undefined)[]): Date | null =>
  ts.reduce<Date | null>((a, t) => (t && (!a || t > a) ? t : a), null);

export const earliest = (...ts: (Date | null | undefined)[]): Date | null =>
  ts.reduce<Date | null>((a, t) => (t && (!a || t < a) ? t : a), null);

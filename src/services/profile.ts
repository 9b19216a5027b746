import { ConsentPurpose } from '../enums';
import { normaliseEmail, phoneRegionOf, toE164 } from '../sources/crm/identifiers';
import type { ConsentRow, CustomerRow } from '../sources/crm/rows';

/** Pure views of CRM rows as the API shows them. */

/** Whole years between `birthDate` ('YYYY-MM-DD') and `now` (UTC calendar); null without a birth date. */
export function ageAt(birthDate: string | null, now: Date): number | null {
  if (!birthDate) return null;
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  const beforeBirthday = now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d);
  return now.getUTCFullYear() - y - (beforeBirthday ? 1 : 0);
}

export const contactEmail = (row: Pick<CustomerRow, 'email'>): string | null => (row.email?.trim() ? normaliseEmail(row.email) : null);

/**
 * E.164 when the stored phone parses (without a country code, read in the customer's country, else in
 * `defaultRegion`), else as entered, trimmed.
 */
export function contactPhone(row: Pick<CustomerRow, 'phone' | 'country'>, defaultRegion: string): string | null {
  const phone = row.phone?.trim();
  if (!phone) return null;
  return toE164(phone, phoneRegionOf(row.country, defaultRegion)) ?? phone;
}

const PURPOSES = Object.values(ConsentPurpose);

/** One entry per purpose: the recorded consent, or "not granted" when none was recorded. */
export function consentsByPurpose(customerId: string, rows: ConsentRow[]): ConsentRow[] {
  return PURPOSES.map(
    (purpose) =>
      rows.find((r) => r.purpose === purpose) ?? { customer_id: customerId, purpose, granted: false, updated_at: null, source: null },
  );
}

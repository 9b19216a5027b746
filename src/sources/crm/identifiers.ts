import { getCountries, getCountryCallingCode, isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { badUserInput } from '../../errors';
import { IdentifierKind } from '../../enums';
import { sql, type Sql } from './sql';

/**
 * An identifier in the form the CRM lookup compares: `key` identifies it in a batch;
 * phones also carry every digit string an as-entered CRM value of the same number may reduce to.
 */
export type LookupKey =
  { kind: Exclude<IdentifierKind, IdentifierKind.PHONE>; key: string } | { kind: IdentifierKind.PHONE; key: string; forms: PhoneForm[] };

/**
 * A digit string a stored phone of a number may reduce to, and the region whose customers may hold it
 * in that form: null for the international forms (anyone's), the number's country for the national
 * ones (only a customer read in that country: phoneRegionOf).
 */
export interface PhoneForm {
  digits: string;
  region: string | null;
  /** Also customers with no country phoneRegionOf knows (read in the default region, which `region` is). */
  orUnknownCountry: boolean;
}

/**
 * local@label.label…: every part non-empty. Linear time: the domain's labels cannot hold the dot that
 * separates them, so no input makes the engine try more than one split (the looser
 * `[^\s@]+\.[^\s@]+` tried every dot: quadratic).
 */
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
const SOCIAL = /^([a-z0-9_]+):@?(\S+)$/;
/** A handle as a provider accepts it: letters, digits, `_`, `.`, `-`, at most 100. */
const HANDLE = /^[\p{L}\p{N}_.-]{1,100}$/u;

/**
 * A CRM identity of kind social (`platform:handle`, as entered) as the provider is asked for it:
 * platform lower-cased, handle as stored without a leading "@"; null when it cannot be a handle.
 */
export function parseSocialIdentity(value: string): { platform: string; handle: string } | null {
  const trimmed = value.trim();
  const colon = trimmed.indexOf(':');
  const platform = trimmed.slice(0, colon).toLowerCase();
  const handle = trimmed.slice(colon + 1).replace(/^@/, '');
  return colon > 0 && /^[a-z0-9_]+$/.test(platform) && HANDLE.test(handle) ? { platform, handle } : null;
}

export const normaliseEmail = (value: string): string => value.trim().toLowerCase();

/** SQL twins of the normalisations above, for stored as-entered values (same whitespace as JS trim's common cases). */
export const TRIM_CHARS_SQL = `E' \\t\\n\\r' || chr(160) || chr(12288)`;
export const emailSql = (col: string) => `lower(btrim(${col}, ${TRIM_CHARS_SQL}))`;
export const phoneSql = (col: string) => `regexp_replace(replace(${col}, '(0)', ''), '[^0-9+]', '', 'g')`;
/** TRIM_CHARS_SQL, emailSql and phoneSql as fragments (sql.ts), for composed statements; the same text (test/unit/sql.test.ts). */
export const TRIM_CHARS = sql`E' \\t\\n\\r' || chr(160) || chr(12288)`;
export const emailOf = (col: Sql) => sql`lower(btrim(${col}, ${TRIM_CHARS}))`;
export const phoneOf = (col: Sql) => sql`regexp_replace(replace(${col}, '(0)', ''), '[^0-9+]', '', 'g')`;

/**
 * An order number as lookups compare it, stored and typed alike: its ASCII letters and digits,
 * upper-cased ("de-2024-00017", "DE 2024 00017" and "DE-2024-00017" are DE202400017; "#1001" is 1001),
 * or the value itself when it has none. orderNumberOf is its SQL twin, the expression of the index
 * the lookup probes (ORDER_NUMBER_INDEX).
 */
export const orderNumberKey = (value: string): string => value.replace(/[^A-Za-z0-9]/g, '').toUpperCase() || value;
export const orderNumberOf = (col: Sql) => sql`coalesce(nullif(upper(regexp_replace(${col}, '[^A-Za-z0-9]', '', 'g')), ''), ${col})`;
/** The expression index that keeps an order-number lookup an index probe (created in the embedded CRM; docs/own-crm.md for others). */
export const ORDER_NUMBER_INDEX = `CREATE INDEX IF NOT EXISTS orders_order_number_lookup ON orders ((coalesce(nullif(upper(regexp_replace(order_number, '[^A-Za-z0-9]', '', 'g')), ''), order_number)))`;

/**
 * The region a customer's stored national phone numbers are read in: their country (ISO 3166-1
 * alpha-2, any case) when libphonenumber knows it, else `fallback` (DEFAULT_PHONE_REGION).
 */
export function phoneRegionOf(country: string | null | undefined, fallback: string): string {
  const code = country?.trim().toUpperCase();
  return code && isSupportedCountry(code) ? code : fallback;
}

/** The countries phoneRegionOf accepts, for its SQL twins (queries.ts, duplicates.ts), and their calling codes ('DE' → '49'). */
export const PHONE_REGIONS: readonly string[] = getCountries();
export const CALLING_CODES: readonly string[] = getCountries().map((c) => getCountryCallingCode(c));

/** E.164 for a phone in any format, read in `region` when it has no country code; null if not a phone. */
export function toE164(value: string, region: string): string | null {
  const parsed = parsePhoneNumberFromString(value, region as CountryCode);
  return parsed?.isPossible() ? parsed.number : null;
}

/**
 * The strings a stored phone of this number may reduce to once "(0)" and everything but digits and
 * "+" are removed (see PHONE_SQL): `+<cc><nn>` and `00<cc><nn>` for anyone, and the national number
 * with or without a trunk 0 for customers read in the number's country (a German customer's
 * "030 1234567" is +49 30 1234567). A bare national number is never matched against another
 * country's customers, so +1 380 013 8000 and a Chinese customer's 138 0013 8000 stay apart.
 * `region` reads `value` when it has no country code.
 */
function phoneVariants(value: string, region: string): { e164: string; forms: PhoneForm[] } | null {
  const parsed = parsePhoneNumberFromString(value, region as CountryCode);
  if (!parsed?.isPossible()) return null;
  const cc = parsed.countryCallingCode;
  const nn = parsed.nationalNumber;
  const country = parsed.country;
  const national = country ? [nn, `0${nn}`].map((digits) => ({ digits, region: country, orUnknownCountry: country === region })) : [];
  const international = [`+${cc}${nn}`, `00${cc}${nn}`].map((digits) => ({ digits, region: null, orUnknownCountry: false }));
  return { e164: parsed.number, forms: [...international, ...national] };
}

/** The lookup key for a client's identifier, or BAD_USER_INPUT saying what a valid one looks like. */
export function toLookupKey(kind: IdentifierKind, raw: string, region: string): LookupKey {
  const value = raw.trim();
  if (value === '') throw badUserInput('The identifier value is empty.', 'identifier.value');
  switch (kind) {
    case IdentifierKind.EMAIL: {
      const email = normaliseEmail(value);
      if (!EMAIL.test(email)) throw badUserInput(`"${value}" is not an e-mail address.`, 'identifier.value');
      return { kind, key: email };
    }
    case IdentifierKind.PHONE: {
      const phone = phoneVariants(value, region);
      if (!phone) {
        throw badUserInput(
          `"${value}" is not a phone number (use E.164 like +8613800138000, or a national number of ${region}).`,
          'identifier.value',
        );
      }
      return { kind, key: phone.e164, forms: phone.forms };
    }
    case IdentifierKind.ORDER_NUMBER:
      // As stored or read out on the phone: "so 2026-000002" finds SO-2026-000002.
      return { kind, key: orderNumberKey(value) };
    case IdentifierKind.SOCIAL: {
      const m = SOCIAL.exec(value.toLowerCase());
      if (!m) throw badUserInput(`"${value}" is not a social handle: use platform:handle, e.g. weibo:lina_88.`, 'identifier.value');
      return { kind, key: `${m[1]}:${m[2]}` };
    }
    default:
      return { kind, key: value };
  }
}

import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { badUserInput } from '../../errors';
import { IdentifierKind } from '../../enums';

/**
 * An identifier in the form the CRM lookup compares: `key` identifies it in a batch;
 * phones also carry every digit string an as-entered CRM value of the same number may reduce to.
 */
export type LookupKey =
  | { kind: Exclude<IdentifierKind, IdentifierKind.PHONE>; key: string }
  | { kind: IdentifierKind.PHONE; key: string; digits: string[] };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SOCIAL = /^([a-z0-9_]+):@?(\S+)$/;

export const normaliseEmail = (value: string): string => value.trim().toLowerCase();

/** E.164 for a phone in any format, read in `region` when it has no country code; null if not a phone. */
export function toE164(value: string, region: string): string | null {
  const parsed = parsePhoneNumberFromString(value, region as CountryCode);
  return parsed?.isPossible() ? parsed.number : null;
}

/**
 * Digit strings a stored phone may reduce to after stripping non-digits: with country code,
 * with the international 00 prefix, national, and national with a trunk 0.
 */
function phoneDigitVariants(value: string, region: string): { e164: string; digits: string[] } | null {
  const parsed = parsePhoneNumberFromString(value, region as CountryCode);
  if (!parsed?.isPossible()) return null;
  const cc = parsed.countryCallingCode;
  const nn = parsed.nationalNumber;
  return { e164: parsed.number, digits: [`${cc}${nn}`, `00${cc}${nn}`, nn, `0${nn}`] };
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
      const phone = phoneDigitVariants(value, region);
      if (!phone) {
        throw badUserInput(
          `"${value}" is not a phone number (use E.164 like +8613800138000, or a national number of ${region}).`,
          'identifier.value',
        );
      }
      return { kind, key: phone.e164, digits: phone.digits };
    }
    case IdentifierKind.ORDER_NUMBER:
      return { kind, key: value.toUpperCase() };
    case IdentifierKind.SOCIAL: {
      const m = SOCIAL.exec(value.toLowerCase());
      if (!m) throw badUserInput(`"${value}" is not a social handle: use platform:handle, e.g. weibo:lina_88.`, 'identifier.value');
      return { kind, key: `${m[1]}:${m[2]}` };
    }
    default:
      return { kind, key: value };
  }
}

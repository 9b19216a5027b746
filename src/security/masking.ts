import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { PiiKind } from './policies';

/**
 * How personal data looks to a role that may not see it. Pure. Masks keep just enough to recognise
 * a record on a screen (the e-mail's domain, a phone's country and last digits, initials), never
 * enough to contact or identify the person.
 */

const CJK = /[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]/;

/** `lina.wang@example.com` → `l***@example.com`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return maskHandle(email);
  return `${[...email][0]}***${email.slice(at)}`;
}

/** `+8613812348000` → `+86 138****8000`; unparseable: `***` and the last two digits. */
export function maskPhone(phone: string): string {
  const parsed = parsePhoneNumberFromString(phone);
  if (parsed) {
    const n = String(parsed.nationalNumber);
    const kept = n.length >= 9 ? [3, 4] : [0, 2];
    return `+${parsed.countryCallingCode} ${n.slice(0, kept[0])}${'*'.repeat(n.length - kept[0]! - kept[1]!)}${n.slice(n.length - kept[1]!)}`;
  }
  const digits = phone.replace(/\D/g, '');
  return `***${digits.slice(-2)}`;
}

/** `Lina Wang` → `L. W.`; `王丽娜` → `王**` (the family name and a star per character). */
export function maskName(name: string): string {
  return name
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => {
      const chars = [...word];
      return CJK.test(chars[0]!) ? chars[0]! + '*'.repeat(chars.length - 1) : `${chars[0]!.toUpperCase()}.`;
    })
    .join(' ');
}

/** `weibo:lina_88` → `weibo:l***8`; a URL keeps its origin only. */
export function maskHandle(value: string): string {
  if (/^https?:\/\//i.test(value)) {
    try {
      return `${new URL(value).origin}/***`;
    } catch {
      return '***';
    }
  }
  const colon = value.indexOf(':');
  const prefix = colon > 0 ? value.slice(0, colon + 1) : '';
  const chars = [...value.slice(prefix.length)];
  if (chars.length <= 2) return `${prefix}***`;
  return `${prefix}${chars[0]}***${chars[chars.length - 1]}`;
}

/** An identifier masked by its kind (Identity.kind, lower-case as stored). */
export function maskIdentifier(kind: string, value: string): string {
  if (kind === 'email') return maskEmail(value);
  if (kind === 'phone') return maskPhone(value);
  if (kind === 'social') return maskHandle(value);
  return `${value.slice(0, 4)}***`;
}

/**
 * The masked form of a value of `kind`. Kinds without a readable partial form are withheld: a birth
 * date or an address is null (`age` and `city` stay visible), free text is `[redacted]`.
 * `parent` is the object the field belongs to (for IDENTIFIER, its `kind`).
 */
export function mask(kind: PiiKind, value: unknown, parent: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map((v) => mask(kind, v, parent));
  const text = String(value);
  switch (kind) {
    case 'EMAIL':
      return maskEmail(text);
    case 'PHONE':
      return maskPhone(text);
    case 'NAME':
      return maskName(text);
    case 'HANDLE':
      return maskHandle(text);
    case 'IDENTIFIER':
      return maskIdentifier(String((parent as { kind?: unknown } | null)?.kind ?? ''), text);
    case 'TEXT':
      return '[redacted]';
    case 'BIRTHDATE':
    case 'ADDRESS':
      return null;
  }
}

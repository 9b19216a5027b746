/**
 * Planted duplicates: for a share of a generated dataset's customers, one more customer record of the
 * same person, entered messily, so duplicate detection can be measured against a known truth.
 * Contract: deterministic for (dataset, seed, share, now), with its own random stream; adds rows only (new
 * customers with ids after the base ones, and device identities), never changes a base row; every
 * identity (kind, value) stays unique; what the two records have in common is recorded per pair.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CrmDataset, CustomerRow, IdentityRow } from './rows';
import { Random } from '@c360/social-provider';
import { CN_FAMILY_NAMES, CN_GIVEN_NAMES, PHONE_PLANS } from './vocab';

/** How the duplicate's name was entered, relative to the original's. */
export type NameVariant = 'same' | 'spacing' | 'case' | 'typo' | 'diacritics' | 'romanised';

export interface PlantedDuplicate {
  /** The base customer. */
  original: string;
  /** The planted record of the same person. */
  duplicate: string;
  /**
   * What the two records share: the e-mail (another case or spacing), the phone (another format), a
   * device id (another case), the birth date, the city. None of the first three: only names tell.
   */
  shared: { email: boolean; phone: boolean; deviceId: boolean; birthDate: boolean; city: boolean };
  name: NameVariant;
}

export interface PlantedRows {
  customers: CustomerRow[];
  customer_identities: IdentityRow[];
  planted: PlantedDuplicate[];
}

const DAY_MS = 86_400_000;

/** Chinese characters of the vocabulary with their toneless pinyin, for names typed in Latin letters. */
const PINYIN = new Map<string, string>([...CN_FAMILY_NAMES, ...CN_GIVEN_NAMES.female, ...CN_GIVEN_NAMES.male]);
const HAN = /\p{Script=Han}/u;

/**
 * Duplicates of round(share × customers) distinct customers of `ds` (share in [0, 1]); the new ids
 * continue the base numbering (c_<n + 1>, …). `ds` is read, not changed.
 */
export function plantDuplicates(ds: CrmDataset, opts: { seed: number; share: number; now: Date }): PlantedRows {
  const rng = new Random(opts.seed ^ 0xd0b1e5);
  const now = opts.now.getTime();
  const emails = new Set(ds.customers.flatMap((c) => (c.email === null ? [] : [c.email.trim().toLowerCase()])));
  const devices = new Map<string, IdentityRow>();
  for (const i of ds.customer_identities) if (i.kind === 'device_id' && !devices.has(i.customer_id)) devices.set(i.customer_id, i);

  const out: PlantedRows = { customers: [], customer_identities: [], planted: [] };
  const originals = rng.sample(ds.customers, Math.round(opts.share * ds.customers.length));
  originals.forEach((o, k) => {
    const id = `c_${String(ds.customers.length + k + 1).padStart(6, '0')}`;
    const created = o.created_at.getTime() + rng.int(0, Math.floor((now - o.created_at.getTime()) / 1000)) * 1000;
    const device = devices.get(o.id);
    const email = o.email !== null && rng.chance(0.5);
    const phone = o.phone !== null && rng.chance(0.45);
    const deviceId = device !== undefined && rng.chance(0.2);
    // Without a shared identifier, the birth date or the city (as far as the original has them) says it is them.
    const birthDate = o.birth_date !== null && rng.chance(email || phone || deviceId ? 0.7 : 0.8);
    const city = o.city !== null && (rng.chance(0.85) || !(email || phone || deviceId || birthDate));
    const shared = { email, phone, deviceId, birthDate, city };
    const name = nameVariant(rng, o.full_name);
    out.customers.push({
      ...o,
      id,
      created_at: new Date(created),
      full_name: name.fullName,
      birth_date: shared.birthDate ? o.birth_date : null,
      city: shared.city ? o.city : null,
      email: shared.email ? messyEmail(rng, o.email!.trim().toLowerCase()) : freshEmail(rng, emails, o.full_name),
      phone: shared.phone ? otherFormat(rng, o.phone!) : null,
      status: 'active',
    });
    if (shared.deviceId && device) {
      out.customer_identities.push({
        customer_id: id,
        kind: 'device_id',
        value: device.value.toUpperCase(),
        verified: false,
        first_seen_at: new Date(created + rng.int(0, Math.floor(Math.min(DAY_MS, now - created) / 1000)) * 1000),
      });
    }
    out.planted.push({ original: o.id, duplicate: id, shared, name: name.variant });
  });
  return out;
}

/** The original's name as entered again: mostly the same or spaced differently, sometimes with a slip. */
function nameVariant(rng: Random, fullName: string): { fullName: string; variant: NameVariant } {
  if (HAN.test(fullName)) {
    const variant = rng.weighted<NameVariant>([
      ['same', 50],
      ['spacing', 35],
      ['romanised', 15],
    ]);
    const [family = '', ...given] = [...fullName];
    switch (variant) {
      case 'spacing':
        return { fullName: `${family}${rng.pick([' ', '\u3000'])}${given.join('')}`, variant };
      case 'romanised': {
        const latin = [PINYIN.get(family), PINYIN.get(given.join(''))];
        if (latin.some((p) => p === undefined)) return { fullName, variant: 'same' };
        return { fullName: latin.map((p) => p!.charAt(0).toUpperCase() + p!.slice(1)).join(' '), variant };
      }
      default:
        return { fullName, variant };
    }
  }
  const accented = /[^\x20-\x7e]/.test(fullName);
  const variant = rng.weighted<NameVariant>([
    ['same', 30],
    ['spacing', 15],
    ['case', 15],
    ['typo', 30],
    ['diacritics', accented ? 10 : 0],
  ]);
  switch (variant) {
    case 'spacing':
      return { fullName: rng.pick([fullName.replace(' ', '  '), ` ${fullName} `, `${fullName} `]), variant };
    case 'case':
      return { fullName: rng.chance(0.5) ? fullName.toUpperCase() : fullName.toLowerCase(), variant };
    case 'typo':
      return { fullName: typo(rng, fullName), variant };
    case 'diacritics':
      return { fullName: fullName.normalize('NFD').replace(/[\u0300-\u036f]/g, ''), variant };
    default:
      return { fullName, variant };
  }
}

/** One slip in one word of at least 4 letters: a letter dropped, doubled, swapped with the next, or replaced. */
function typo(rng: Random, fullName: string): string {
  const words = fullName.split(' ');
  const candidates = words.map((w, i) => [w, i] as const).filter(([w]) => w.length >= 4);
  if (candidates.length === 0) return fullName;
  const [word, index] = rng.pick(candidates);
  const at = rng.int(1, word.length - 2);
  const letters = [...word];
  switch (rng.int(0, 3)) {
    case 0:
      letters.splice(at, 1);
      break;
    case 1:
      letters.splice(at, 0, letters[at]!);
      break;
    case 2:
      [letters[at], letters[at + 1]] = [letters[at + 1]!, letters[at]!];
      break;
    default:
      letters[at] = rng.pick([...'aeiou'].filter((v) => v !== letters[at]));
  }
  words[index] = letters.join('');
  return words.join(' ');
}

/** The same address as typed another time: another case, stray spaces, or both. */
function messyEmail(rng: Random, email: string): string {
  const cased = rng.pick([email, email.toUpperCase(), email.charAt(0).toUpperCase() + email.slice(1)]);
  return rng.chance(0.4) ? rng.pick([` ${cased}`, `${cased} `, `  ${cased}  `]) : cased;
}

/** Half the time no e-mail; otherwise a new address nobody else has (a second account). */
function freshEmail(rng: Random, taken: Set<string>, fullName: string): string | null {
  if (rng.chance(0.5)) return null;
  const name = fullName
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z]+/g, '.');
  for (;;) {
    const local = HAN.test(fullName) ? String(rng.int(10_000, 3_999_999_999)) : `${name}${rng.int(1, 9999)}`;
    const email = `${local}@${rng.pick(['gmail.com', 'outlook.com', 'qq.com', '163.com'])}`;
    if (!taken.has(email)) {
      taken.add(email);
      return email;
    }
  }
}

/** The same number in another of its country's formats or in E.164 (read with the demo CRM's default region, CN). */
function otherFormat(rng: Random, phone: string): string {
  const parsed = parsePhoneNumberFromString(phone, 'CN');
  const plan = Object.values(PHONE_PLANS).find((p) => p.countryCode === parsed?.countryCallingCode);
  if (!parsed || !plan) return phone;
  const fill = (format: string): string => {
    let digit = 0;
    return format.replace(/#/g, () => parsed.nationalNumber.charAt(digit++));
  };
  const others = [...plan.formats.map(fill), parsed.number].filter((f) => f !== phone);
  return others.length > 0 ? rng.pick(others) : phone;
}

import type { CrmDataset, CustomerRow, IdentityRow } from '@c360/demo-data';
import { createDb } from '../../src/sources/crm/db';
import {
  duplicateCandidates,
  type DuplicateCandidate,
  type DuplicateCandidatesOptions,
  type DuplicateEvidence,
} from '../../src/sources/crm/duplicates';
import { noRoundTrips } from '../../src/sources/roundTrips';
import { fixtureDataset, LINA, LINA_DUP, TOM } from '../fixtures/crm';
import { createCrmDatabase } from '../helpers/database';

/**
 * Duplicate candidates over the CRM fixture plus the records below, each placed to show one rule.
 * The expected pairs, evidence and scores are worked out here from the rules (the module comment of
 * src/sources/crm/duplicates.ts), with name similarities from a small trigram implementation.
 */
const at = new Date('2025-01-01T00:00:00Z');
const person = (id: string, fullName: string, more: Partial<CustomerRow> = {}): CustomerRow => ({
  id,
  created_at: at,
  full_name: fullName,
  gender: null,
  birth_date: null,
  city: null,
  country: null,
  occupation: null,
  email: null,
  phone: null,
  status: 'active',
  ...more,
});
const identity = (customerId: string, kind: IdentityRow['kind'], value: string): IdentityRow => ({
  customer_id: customerId,
  kind,
  value,
  verified: false,
  first_seen_at: at,
});

/** Twenty-one records sharing a placeholder e-mail: no evidence. */
const PLACEHOLDERS = Array.from({ length: 21 }, (_, i) =>
  person(`c_none${String(i).padStart(2, '0')}`, `Nobody ${i}`, { email: i % 2 ? 'NONE@none.com' : 'none@none.com' }),
);

function dataset(): CrmDataset {
  const d = fixtureDataset();
  d.customers.push(
    // Lina's phone (138 0013 8000, read as +86) in another format; +1 380 013 8000 is another number.
    person('c_0086', 'Zhou Ping', { phone: '0086 13800138000' }),
    person('c_us', 'Uma Stone', { phone: '+1 380 013 8000' }),
    // A national number: +86 3800138000 by default, c_us's number when the default calling code is 1.
    person('c_us2', 'Vic Stone', { phone: '(380) 013-8000' }),
    // Erased: shares Lina's phone but takes no part.
    person('c_erased', '李娜', { phone: '138 0013 8000', birth_date: '1990-06-16', status: 'erased' }),
    // A trunk 0 before a national number; the same number as an identity in E.164 form.
    person('c_ph1', 'Peter Hall', { phone: '0139-1234-5678' }),
    person('c_ph2', 'Quinn Ross'),
    // German records: a national number is read in the record's country (+49 30 1234567), not the default region's.
    person('c_de1', 'Jana Schmidt', { phone: '030 1234567', country: 'DE' }),
    person('c_de2', 'Jan Schmitt', { phone: '+49 30 1234567' }),
    // The same digits in a record of no country: +86 30 1234567, another number.
    person('c_cn_30', 'Zhao Lei', { phone: '030 1234567' }),
    // Tom's UK number (+44 (0)20 7946 0958) with 00.
    person('c_uk', 'Ursula Kent', { phone: '0044 20 7946 0958' }),
    // One e-mail, typed differently and as an identity; same name, same city (spaced differently).
    person('c_em1', 'Mary Jones', { email: ' Mary.Jones@Mail.COM ', city: 'London' }),
    person('c_em2', 'Mary Jones', { city: ' london ' }),
    // A shared device in another case, same name spaced differently, same city.
    person('c_dv1', 'Sam Lee', { city: 'Beijing' }),
    person('c_dv2', 'Sam  Lee', { city: 'Beijing' }),
    // Linked through the API to Lina's device and to Tom's e-mail (identity_links, below).
    person('c_dv3', 'Dora Vale'),
    person('c_api', 'Zed Api'),
    // A typo with the same birth date.
    person('c_nb1', 'Anna Schmidt', { birth_date: '1980-02-03', city: 'Berlin' }),
    person('c_nb2', 'Ana Schmidt', { birth_date: '1980-02-03' }),
    // CJK: a space inside the name; a homophone character is another name (similarity 1/7).
    person('c_cn1', '王小明', { birth_date: '1975-05-05', city: 'Wuhan' }),
    person('c_cn2', '王 小明', { birth_date: '1975-05-05', city: 'Wuhan' }),
    person('c_cn3', '王晓明', { birth_date: '1975-05-05' }),
    // Full-width letters and a diacritic.
    person('c_cn4', 'Ｍａｘ Ｍüller', { birth_date: '1969-09-09' }),
    person('c_cn5', 'Max Muller', { birth_date: '1969-09-09' }),
    // Merged (below): c_mg_x into c_mg_s; c_mg_y shares c_mg_x's e-mail, c_mg_s its phone.
    person('c_mg_s', 'Olga Petrova', { phone: '+7 912 345 6789' }),
    person('c_mg_x', 'Olga Petrova', { email: 'olga@example.ru', phone: '+79123456789' }),
    person('c_mg_y', 'Olga Ivanova', { email: 'OLGA@example.ru ' }),
    ...PLACEHOLDERS,
  );
  d.customer_identities.push(
    identity('c_ph2', 'phone', '+86 139 1234 5678'),
    identity('c_em2', 'email', 'mary.jones@mail.com'),
    identity('c_dv1', 'device_id', 'dev-shared-9'),
    identity('c_dv2', 'device_id', ' DEV-SHARED-9'),
  );
  return d;
}

// ---- the rules, for the expectations ----

/** pg_trgm's trigrams of a Latin name: lower case, words of letters and digits, each padded "  w ". */
function trigrams(name: string): Set<string> {
  const words = name
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  return new Set(
    words.flatMap((w) => {
      const padded = [...`  ${w} `];
      return padded.slice(0, -2).map((_, i) => padded.slice(i, i + 3).join(''));
    }),
  );
}
function similarity(x: string, y: string): number {
  const a = trigrams(x);
  const b = trigrams(y);
  const shared = [...a].filter((t) => b.has(t)).length;
  return shared / (a.size + b.size - shared);
}
const email = (value: string): DuplicateEvidence => ({ kind: 'email', value, similarity: null });
const phone = (value: string): DuplicateEvidence => ({ kind: 'phone', value, similarity: null });
const device = (value: string): DuplicateEvidence => ({ kind: 'device_id', value, similarity: null });
const birth = (value: string, s: number): DuplicateEvidence => ({ kind: 'name_birth_date', value, similarity: s });
const city = (value: string, s: number): DuplicateEvidence => ({ kind: 'name_city', value, similarity: s });

function weight(e: DuplicateEvidence): number {
  switch (e.kind) {
    case 'device_id':
      return 0.9;
    case 'name_birth_date':
      return 0.3 + 0.5 * e.similarity!;
    case 'name_city':
      return 0.05 + 0.4 * e.similarity!;
    default:
      return 1;
  }
}
const pair = (a: string, b: string, evidence: DuplicateEvidence[]) => ({
  a,
  b,
  evidence,
  score: Math.round((1 - evidence.reduce((p, e) => p * (1 - weight(e)), 1)) * 1e4) / 1e4,
});
const byRank = (x: { score: number; a: string; b: string }, y: { score: number; a: string; b: string }) =>
  y.score - x.score || (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : x.b > y.b ? 1 : 0);

const ANNA = similarity('Anna Schmidt', 'Ana Schmidt');
/** With c_mg_x merged into c_mg_s, the link to c_dv3 and c_api in place. */
const EXPECTED = [
  pair('c_0086', LINA, [phone('+8613800138000')]),
  pair('c_0086', LINA_DUP, [phone('+8613800138000')]),
  pair(LINA, LINA_DUP, [phone('+8613800138000')]),
  pair('c_ph1', 'c_ph2', [phone('+8613912345678')]),
  pair(TOM, 'c_uk', [phone('+442079460958')]),
  pair('c_de1', 'c_de2', [phone('+49301234567')]),
  pair('c_em1', 'c_em2', [email('mary.jones@mail.com'), city('london', 1)]),
  pair('c_api', TOM, [email('tom.baker@example.org')]),
  pair('c_mg_s', 'c_mg_y', [email('olga@example.ru')]),
  pair('c_dv1', 'c_dv2', [device('dev-shared-9'), city('beijing', 1)]),
  pair('c_dv3', LINA, [device('dev-lina-1')]),
  pair('c_cn1', 'c_cn2', [birth('1975-05-05', 1), city('wuhan', 1)]),
  pair('c_cn4', 'c_cn5', [birth('1969-09-09', 1)]),
  pair('c_nb1', 'c_nb2', [birth('1980-02-03', ANNA)]),
].sort(byRank);

// ---- the suite ----

let db: Awaited<ReturnType<typeof createCrmDatabase>>;

beforeAll(async () => {
  db = await createCrmDatabase('duplicates', dataset());
  await db.pool.query(
    `INSERT INTO c360.identity_links (kind, value, customer_id, source, confidence, created_by)
     VALUES ('device_id', 'dev-lina-1', 'c_dv3', 'api', 1, 'test'), ('email', 'tom.baker@example.org', 'c_api', 'api', 1, 'test')`,
  );
  await db.pool.query(
    `WITH m AS (INSERT INTO c360.merges (survivor_id, merged_ids, reason, created_by) VALUES ('c_mg_s', '{c_mg_x}', 'test', 'test') RETURNING id)
     INSERT INTO c360.identity_links (kind, value, customer_id, source, confidence, merge_id, created_by)
     SELECT 'customer_id', 'c_mg_x', 'c_mg_s', 'merge', 1, id, 'test' FROM m`,
  );
});
afterAll(async () => {
  await db?.drop();
});

const OPTIONS: DuplicateCandidatesOptions = { minScore: 0.5, first: 100, after: null, countryCallingCode: '86' };

/** One call, with the round trips it made. */
async function candidates(opts: Partial<DuplicateCandidatesOptions> = {}): Promise<{ rows: DuplicateCandidate[]; roundTrips: number }> {
  const roundTrips = noRoundTrips();
  const rows = await duplicateCandidates(createDb(db.pool, roundTrips), { ...OPTIONS, ...opts });
  return { rows, roundTrips: roundTrips.crm };
}

/** Similarities come back as float4: compared to 6 decimals. */
const rounded = (rows: DuplicateCandidate[]) =>
  rows.map((r) => ({
    ...r,
    evidence: r.evidence.map((e) => ({ ...e, similarity: e.similarity === null ? null : Math.round(e.similarity * 1e6) / 1e6 })),
  }));

describe('duplicateCandidates', () => {
  it('finds every pair by its evidence, scored and ordered, in one statement', async () => {
    const { rows, roundTrips } = await candidates();
    expect(rounded(rows)).toEqual(rounded(EXPECTED));
    expect(roundTrips).toBe(1);
  });

  it('pages by (score, a, b): first + 1 rows tell that a next page exists, the cursor continues after the last shown', async () => {
    const seen: DuplicateCandidate[] = [];
    let after: DuplicateCandidatesOptions['after'] = null;
    for (let page = 0; ; page++) {
      const { rows } = await candidates({ first: 3, after });
      const shown = rows.slice(0, 3);
      seen.push(...shown);
      expect(rows.length).toBe(Math.min(4, EXPECTED.length - page * 3));
      if (rows.length <= 3) break;
      const last = shown[shown.length - 1]!;
      after = { score: last.score, a: last.a, b: last.b };
    }
    expect(rounded(seen)).toEqual(rounded(EXPECTED));
  });

  it('pages backward: before a cursor, nearest first, so the caller reverses it into the order', async () => {
    const seen: DuplicateCandidate[][] = [];
    let before: DuplicateCandidatesOptions['after'] = null;
    for (let page = 0; ; page++) {
      const { rows, roundTrips } = await candidates({ first: 3, after: before, backward: true });
      expect(roundTrips).toBe(1);
      const shown = rows.slice(0, 3);
      seen.unshift([...shown].reverse());
      expect(rows.length).toBe(Math.min(4, EXPECTED.length - page * 3));
      if (rows.length <= 3) break;
      const first = shown[shown.length - 1]!;
      before = { score: first.score, a: first.a, b: first.b };
    }
    expect(rounded(seen.flat())).toEqual(rounded(EXPECTED));
  });

  it('keeps the pairs scoring at least minScore', async () => {
    for (const minScore of [0.95, 0.9, 0.8, 0.7]) {
      const { rows } = await candidates({ minScore });
      expect(rows.map((r) => [r.a, r.b])).toEqual(EXPECTED.filter((e) => e.score >= minScore).map((e) => [e.a, e.b]));
    }
  });

  it('reads the national numbers of records of no country with the calling code it is given, the others in their country', async () => {
    const { rows } = await candidates({ countryCallingCode: '1' });
    // c_us2's (380) 013-8000 (no country) is c_us's +13800138000; Lina's 138 0013 8000 stays +86 (her country is CN),
    // so do the German pair's numbers (DE), and c_cn_30's 030 1234567 becomes +1301234567, nobody's.
    expect(rows.filter((r) => r.evidence.some((e) => e.kind === 'phone')).map((r) => [r.a, r.b, r.evidence[0]!.value])).toEqual([
      ['c_0086', LINA, '+8613800138000'],
      ['c_0086', LINA_DUP, '+8613800138000'],
      ['c_de1', 'c_de2', '+49301234567'],
      [LINA, LINA_DUP, '+8613800138000'],
      [TOM, 'c_uk', '+442079460958'],
      ['c_us', 'c_us2', '+13800138000'],
    ]);
  });

  it('shows a merged record as its survivor, and the records again once the merge link is removed', async () => {
    await db.pool.query(
      `UPDATE c360.identity_links SET removed_at = now(), removed_by = 'test' WHERE kind = 'customer_id' AND value = 'c_mg_x'`,
    );
    try {
      const { rows } = await candidates();
      const olga = rows.filter((r) => r.a.startsWith('c_mg'));
      expect(rounded(olga)).toEqual(
        rounded([pair('c_mg_s', 'c_mg_x', [phone('+79123456789')]), pair('c_mg_x', 'c_mg_y', [email('olga@example.ru')])]),
      );
    } finally {
      await db.pool.query(
        `UPDATE c360.identity_links SET removed_at = NULL, removed_by = NULL WHERE kind = 'customer_id' AND value = 'c_mg_x'`,
      );
    }
  });

  it('sees CJK characters in trigrams under the test database locale (C.UTF-8)', async () => {
    // 王小明 / 王小红 share '  王' and ' 王小' of four trigrams each.
    const { rows } = await db.pool.query<{ s: number }>(`SELECT similarity('王小明', '王小红') AS s`);
    expect(rows[0]!.s).toBeCloseTo(2 / 6, 6);
  });
});

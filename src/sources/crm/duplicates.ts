/**
 * Duplicate candidates: pairs of customer records that may be one person, found in ONE SQL statement
 * by blocking: records are compared only when they share a key (an identifier, or a birth date), with
 * hash joins over one pass of the CRM's customers and identities; never all pairs.
 *
 * Evidence items, each with a weight:
 * - `email` (1.0): the same e-mail, trimmed and lower-cased (emailSql), from customers.email, CRM
 *   identities and active identity links of kind email; `value` the normalised e-mail.
 * - `phone` (1.0): the same number in E.164, from customers.phone, identities and links of kind phone:
 *   "(0)" and all but digits dropped (phoneSql); a value that started with "+" or "00" carries its
 *   country code, any other gets its record's country's calling code (`countryCallingCode` when the
 *   record has no country libphonenumber knows) after one trunk "0" is dropped; 8 to 15 digits or it is
 *   no phone. `value` the E.164 number.
 * - `device_id` (0.9: a household may share a device): the same device id, trimmed and lower-cased,
 *   from identities and links of kind device_id; `value` that id.
 * - `name_birth_date` (0.30 + 0.5 s, so 0.55–0.80): equal birth dates (`value`) and names of trigram
 *   similarity s ≥ 0.5 (`similarity`);
 * - `name_city` (0.05 + 0.4 s, so 0.25–0.45): equal trimmed, lower-cased cities (`value`) and names
 *   of similarity s ≥ 0.5. Corroboration only: it adds to pairs found by the other keys but never makes
 *   a pair on its own, since a popular name is shared by many people of one city (the 100,000-customer
 *   demo has 142,000 same-name same-city pairs; searching them all takes ~30 s, bench/README.md).
 * Names are compared after NFKD, dropping Latin diacritics, NFC, and dropping spaces between CJK
 * characters ('李 娜' is '李娜'); equal names have similarity 1, others pg_trgm's similarity(), which
 * sees CJK characters only when the database's LC_CTYPE classifies them (C.UTF-8 and other glibc UTF-8
 * locales do, 'C' does not: there only equal CJK names count as similar).
 * An identifier shared by more than 20 records is a placeholder, not a person: no evidence.
 *
 * score = 1 − Π(1 − weight) over the pair's distinct items (kind, value), rounded to 4 decimals:
 * 1 with an e-mail or phone in common, 0.9 for a device alone, at most 0.89 on names.
 *
 * A record merged into another (an active identity link of kind customer_id) counts as its survivor
 * (c360.canonical_id): its evidence is the survivor's, it never appears itself, and records of one
 * person make no pair. Erased customers take no part. Everything is read live (no index to refresh);
 * a CRM status 'merged' without a link is a plain record.
 */
import type { Db } from './db';
import { CALLING_CODES, emailOf, PHONE_REGIONS, phoneOf, TRIM_CHARS } from './identifiers';
import { param, sql, type Sql } from './sql';

export type DuplicateEvidenceKind = 'email' | 'phone' | 'device_id' | 'name_birth_date' | 'name_city';

export interface DuplicateEvidence {
  kind: DuplicateEvidenceKind;
  /** The shared key: normalised e-mail, E.164 phone, device id, birth date (YYYY-MM-DD) or city. */
  value: string;
  /** Trigram similarity of the names (0.5–1) for the name kinds; null for the others. */
  similarity: number | null;
}

export interface DuplicateCandidate {
  /** Canonical customer ids, a < b. */
  a: string;
  b: string;
  /** In (0, 1], 4 decimals. */
  score: number;
  /** Every item once, email, phone, device_id, name_birth_date, name_city, then by value. */
  evidence: DuplicateEvidence[];
}

/** The position of the last pair of the previous page (its score, a and b as returned). */
export interface DuplicateCursor {
  score: number;
  a: string;
  b: string;
}

export interface DuplicateCandidatesOptions {
  /** Pairs scoring at least this, in (0, 1]. */
  minScore: number;
  /** Page size, ≥ 1. */
  first: number;
  /** Pairs strictly after this one in the order (`backward`: strictly before it); null from the start (the end). */
  after: DuplicateCursor | null;
  /** Read the order in reverse: the pairs before `after`, nearest first (the caller restores the order). */
  backward?: boolean;
  /** Digits of the country calling code for phones entered without one by records of no known country, e.g. '86'. */
  countryCallingCode: string;
}

/** The threshold for a caller who names none: a similar name with the same birth date (0.55–0.80) passes. */
export const DEFAULT_MIN_SCORE = 0.5;

/** CJK unified ideographs (with extension A and the compatibility block). */
const CJK = sql`[\\u3400-\\u9fff\\uf900-\\ufaff]`;
/** The name as compared (see above), from the as-entered `col`. */
const nameSql = (col: Sql) => sql`regexp_replace(normalize(regexp_replace(normalize(${col}, NFKD), '[\\u0300-\\u036f]', '', 'g'), NFC),
  '(?<=${CJK})\\s+(?=${CJK})', '', 'g')`;
/** The similarity of two compared names (see above). */
const similaritySql = (x: Sql, y: Sql) => sql`CASE WHEN ${x} = ${y} THEN 1 ELSE similarity(${x}, ${y}) END`;

/** A trimmed, lower-cased device id or city. */
const keySql = (col: Sql) => sql`lower(btrim(${col}, ${TRIM_CHARS}))`;

/**
 * The statement of one page (see duplicateCandidates).
 * Identifier keys are only compared for equality: they sort bytewise (COLLATE "C"), which is faster.
 */
function statement(minScore: number, limit: number, after: DuplicateCursor | null, backward: boolean, countryCallingCode: string): Sql {
  const cc = param(countryCallingCode);
  const score = param(after?.score ?? null);
  // The order is score DESC, a, b; read backward, every comparison and direction flips.
  const [lower, past, order] = backward ? [sql`>`, sql`<`, sql`score ASC, a DESC, b DESC`] : [sql`<`, sql`>`, sql`score DESC, a, b`];
  return sql`
WITH records AS MATERIALIZED (
  SELECT c.id, c.birth_date, nullif(${keySql(sql`c.city`)}, '') AS city, ${nameSql(sql`c.full_name`)} AS name
    FROM customers c
   WHERE c.status <> 'erased'
),
phones AS MATERIALIZED (
  SELECT p.record, ${phoneOf(sql`p.raw`)} AS s, coalesce(r.code, ${cc}::text) AS cc
    FROM (SELECT c.id AS record, c.phone AS raw FROM customers c WHERE c.phone IS NOT NULL
          UNION ALL SELECT i.customer_id, i.value FROM customer_identities i WHERE i.kind = 'phone'
          UNION ALL SELECT l.customer_id, l.value FROM c360.identity_links l WHERE l.kind = 'phone' AND l.removed_at IS NULL) p
    LEFT JOIN customers c ON c.id = p.record
    LEFT JOIN unnest(${PHONE_REGIONS}::text[], ${CALLING_CODES}::text[]) AS r(country, code) ON r.country = upper(btrim(c.country))
),
shared AS (
  SELECT k.kind, k.key, array_agg(DISTINCT k.record) AS records
    FROM (SELECT 'email' COLLATE "C" AS kind, ${emailOf(sql`c.email`)} COLLATE "C" AS key, c.id AS record FROM customers c WHERE c.email IS NOT NULL
          UNION ALL SELECT i.kind, CASE i.kind WHEN 'email' THEN ${emailOf(sql`i.value`)} ELSE ${keySql(sql`i.value`)} END, i.customer_id
            FROM customer_identities i WHERE i.kind IN ('email', 'device_id')
          UNION ALL SELECT l.kind, CASE l.kind WHEN 'email' THEN ${emailOf(sql`l.value`)} ELSE ${keySql(sql`l.value`)} END, l.customer_id
            FROM c360.identity_links l WHERE l.kind IN ('email', 'device_id') AND l.removed_at IS NULL
          UNION ALL SELECT 'phone', e.e164, e.record
            FROM (SELECT record, '+' || CASE WHEN s LIKE '+%' THEN replace(s, '+', '')
                                             WHEN s LIKE '00%' THEN substr(replace(s, '+', ''), 3)
                                             WHEN s LIKE '0%' THEN cc || substr(replace(s, '+', ''), 2)
                                             ELSE cc || replace(s, '+', '') END AS e164
                    FROM phones) e
           WHERE e.e164 ~ '^\\+[1-9][0-9]{7,14}$') k
   WHERE k.key <> ''
   GROUP BY k.kind, k.key
  HAVING count(DISTINCT k.record) BETWEEN 2 AND 20
),
identifier_pairs AS (
  SELECT s.kind, s.key AS value, x AS a, y AS b FROM shared s, unnest(s.records) x, unnest(s.records) y WHERE x < y
),
birth_pairs AS (
  SELECT x.id AS a, y.id AS b
    FROM records x JOIN records y ON y.birth_date = x.birth_date AND x.id < y.id
   WHERE ${similaritySql(sql`x.name`, sql`y.name`)} >= 0.5
),
pairs AS (
  SELECT a, b FROM identifier_pairs UNION SELECT a, b FROM birth_pairs
),
raw AS (
  SELECT a, b, kind, value, NULL::real AS similarity FROM identifier_pairs
  UNION ALL
  SELECT p.a, p.b, e.kind, e.value, s.similarity
    FROM pairs p
    JOIN records x ON x.id = p.a
    JOIN records y ON y.id = p.b
    CROSS JOIN LATERAL (SELECT ${similaritySql(sql`x.name`, sql`y.name`)} AS similarity) s
    CROSS JOIN LATERAL (VALUES ('name_birth_date', x.birth_date::text, x.birth_date = y.birth_date),
                               ('name_city', x.city, x.city = y.city)) e(kind, value, same)
   WHERE s.similarity >= 0.5 AND e.same
),
canon AS (
  SELECT r.record, k.id
    FROM (SELECT a AS record FROM raw UNION SELECT b FROM raw) r
    JOIN customers m ON m.id = r.record AND m.status <> 'erased'
    CROSS JOIN LATERAL (SELECT c360.canonical_id(r.record) AS id) k
    JOIN customers c ON c.id = k.id AND c.status <> 'erased'
),
evidence AS (
  SELECT least(ca.id, cb.id) AS a, greatest(ca.id, cb.id) AS b, raw.kind, raw.value, max(raw.similarity) AS similarity
    FROM raw JOIN canon ca ON ca.record = raw.a JOIN canon cb ON cb.record = raw.b
   WHERE ca.id <> cb.id
   GROUP BY 1, 2, 3, 4
),
weighted AS (
  SELECT a, b, CASE kind WHEN 'device_id' THEN 0.9 WHEN 'name_birth_date' THEN 0.30 + 0.5 * similarity
                         WHEN 'name_city' THEN 0.05 + 0.4 * similarity ELSE 1 END AS weight
    FROM evidence
),
scored AS (
  SELECT a, b, round(CASE WHEN max(weight) >= 1 THEN 1 ELSE 1 - exp(sum(ln(1 - weight)) FILTER (WHERE weight < 1)) END::numeric, 4) AS score
    FROM weighted GROUP BY a, b
),
page AS (
  SELECT a, b, score FROM scored
   WHERE score >= ${minScore} AND (${score}::numeric IS NULL OR score ${lower} ${score} OR (score = ${score} AND (a, b) ${past} (${after?.a ?? null}::text, ${after?.b ?? null}::text)))
   ORDER BY ${order}
   LIMIT ${limit}
)
SELECT p.a, p.b, p.score::float8 AS score,
       json_agg(json_build_object('kind', e.kind, 'value', e.value, 'similarity', e.similarity)
                ORDER BY array_position(ARRAY['email', 'phone', 'device_id', 'name_birth_date', 'name_city'], e.kind), e.value) AS evidence
  FROM page p JOIN evidence e ON e.a = p.a AND e.b = p.b
 GROUP BY p.a, p.b, p.score
 ORDER BY ${backward ? sql`p.score ASC, p.a DESC, p.b DESC` : sql`p.score DESC, p.a, p.b`}`;
}

/**
 * One page of duplicate candidates, by score descending, then a, then b: up to `first` + 1 pairs
 * after `after`, so the caller knows there is a next page when it gets more than `first` (and shows
 * only `first`; the cursor of the last one shown continues). One SQL statement, which costs one pass
 * over the customers and identities whatever `first` (~1.9 s at 100,000 customers, bench/README.md).
 */
export async function duplicateCandidates(db: Db, opts: DuplicateCandidatesOptions): Promise<DuplicateCandidate[]> {
  if (!/^[1-9][0-9]{0,2}$/.test(opts.countryCallingCode)) throw new RangeError(`bad country calling code ${opts.countryCallingCode}`);
  return db<DuplicateCandidate>(statement(opts.minScore, opts.first + 1, opts.after, opts.backward ?? false, opts.countryCallingCode));
}

import type { Document } from 'bson';
import { isLookupValue, isPlainObject, type Index } from './indexes';

/** Rows a filter can only match, gathered from indexes; the full filter still decides on each. */
export interface Plan {
  rows: Set<number>;
  indexNames: Set<string>;
  keysExamined: number;
}

/** The values an equality (`v`, `{ $eq: v }`) or `{ $in: [...] }` condition accepts, when an index can serve them all. */
function equalityValues(condition: unknown): unknown[] | undefined {
  if (isLookupValue(condition)) return [condition];
  if (!isPlainObject(condition)) return undefined;
  if ('$eq' in condition && isLookupValue(condition.$eq)) return [condition.$eq];
  const values: unknown = condition.$in;
  if (Array.isArray(values) && values.every(isLookupValue)) return values;
  return undefined;
}

function smaller(a: Plan | undefined, b: Plan | undefined): Plan | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.rows.size < a.rows.size ? b : a;
}

function union(plans: Plan[]): Plan {
  const [first, ...rest] = plans;
  const out: Plan = { rows: new Set(first?.rows), indexNames: new Set(first?.indexNames), keysExamined: first?.keysExamined ?? 0 };
  for (const plan of rest) {
    for (const row of plan.rows) out.rows.add(row);
    for (const name of plan.indexNames) out.indexNames.add(name);
    out.keysExamined += plan.keysExamined;
  }
  return out;
}

/**
 * Chooses index lookups for a filter: an equality or `$in` on the first field of an index, inside an
 * implicit or explicit `$and` (the smallest candidate set wins) or an `$or` whose every clause has one
 * (the union). Undefined when the filter needs a collection scan.
 */
export function planFilter(filter: Document, indexes: readonly Index[]): Plan | undefined {
  let best: Plan | undefined;
  for (const [key, condition] of Object.entries(filter)) {
    let plan: Plan | undefined;
    if (key === '$and' && Array.isArray(condition)) {
      for (const clause of condition) if (isPlainObject(clause)) plan = smaller(plan, planFilter(clause, indexes));
    } else if (key === '$or' && Array.isArray(condition) && condition.length > 0) {
      const clauses = condition.map((clause) => (isPlainObject(clause) ? planFilter(clause, indexes) : undefined));
      if (clauses.every((c): c is Plan => c !== undefined)) plan = union(clauses);
    } else if (!key.startsWith('$')) {
      const values = equalityValues(condition);
      const index = values && indexes.find((i) => i.fields[0] === key);
      if (values && index) {
        const rows = new Set<number>();
        plan = { rows, indexNames: new Set([index.name]), keysExamined: index.lookup(values, rows) };
      }
    }
    best = smaller(best, plan);
  }
  return best;
}

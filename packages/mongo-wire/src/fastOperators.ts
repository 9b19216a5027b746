import type { Document } from 'bson';
import { Aggregator } from 'mingo/aggregator';
import { Context, ProcessingMode } from 'mingo/core';
import { Lazy } from 'mingo/lazy';
import * as accumulator from 'mingo/operators/accumulator';
import * as expression from 'mingo/operators/expression';
import { $eq, $gt, $gte, $lt, $lte, $ne } from 'mingo/operators/expression';
import * as pipeline from 'mingo/operators/pipeline';
import { $addFields } from 'mingo/operators/pipeline';
import * as projection from 'mingo/operators/projection';
import * as query from 'mingo/operators/query';
import * as window from 'mingo/operators/window';
import { compare, flatten, groupBy, isEmpty, isEqual, isNil, resolve, setValue, unique } from 'mingo/util';

/**
 * Compiled versions of the stages the behaviour source's pipelines use, for the embedded server: the
 * same results as mingo (MongoDB's semantics as mingo implements them, checked by the conformance
 * suite, which also runs against a real MongoDB), without mingo's per-node, per-document dispatch.
 * A stage whose expressions use anything `compile` does not know is left to mingo's own operator;
 * a pipeline that is not `isSimplePipeline` runs on mingo's operators only. `$indexOfArray` on a
 * `$literal` array of strings or numbers uses a hash index built once (the first index of each
 * value, as the linear scan finds it).
 */
type Options = Parameters<typeof $addFields>[2];
type Scope = { root: Document; vars: Record<string, unknown> };
type Compiled = (scope: Scope) => unknown;

const COMPARISONS: Record<string, typeof $eq> = { $eq, $gt, $gte, $lt, $lte, $ne };
/** a − b's sign for two numbers, two dates or two strings; null for anything else. */
function sameTypeOrder(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number' && !Number.isNaN(a) && !Number.isNaN(b)) return Math.sign(a - b);
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return null;
}
const SAME_TYPE_TESTS: Record<string, (order: number) => boolean> = {
  $eq: (o) => o === 0,
  $ne: (o) => o !== 0,
  $gt: (o) => o > 0,
  $gte: (o) => o >= 0,
  $lt: (o) => o < 0,
  $lte: (o) => o <= 0,
};

const isPrimitive = (v: unknown): v is string | number | boolean =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
/** MongoDB's truthiness (mingo's strict mode): false, 0, null and missing are false, "" is true. */
const truthy = (v: unknown) => !!v || v === '';
const plainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

/**
 * `expr` as a closure over a document and the variables in scope, or null when it uses anything this
 * compiler does not know (an operator, a system variable other than $$ROOT/$$CURRENT, a variable not
 * bound in `bound`): the caller then leaves the whole stage to mingo.
 */
function compile(expr: unknown, options: Options, bound: ReadonlySet<string>): Compiled | null {
  if (typeof expr === 'string' && expr.startsWith('$$')) {
    const [name, ...rest] = expr.slice(2).split('.');
    const path = rest.join('.');
    if (name !== 'ROOT' && name !== 'CURRENT' && !bound.has(name!)) return null;
    const base = (s: Scope) => (name === 'ROOT' || name === 'CURRENT' ? s.root : s.vars[name!]);
    return path ? (s) => resolve(base(s) as Document, path) : base;
  }
  if (typeof expr === 'string' && expr.startsWith('$')) {
    const path = expr.slice(1);
    return (s) => resolve(s.root, path);
  }
  if (expr === null || typeof expr !== 'object' || expr instanceof Date) return () => expr;
  if (Array.isArray(expr)) {
    const items = expr.map((e) => compile(e, options, bound));
    if (items.some((i) => i === null)) return null;
    return (s) => items.map((i) => i!(s) ?? null);
  }
  if (!plainObject(expr)) return null;
  const keys = Object.keys(expr);
  if (keys.length > 0 && !keys[0]!.startsWith('$')) {
    // An object expression; like mingo, a field whose value is missing is kept as undefined.
    const fields = keys.map((k) => [k, compile(expr[k], options, bound)] as const);
    if (fields.some(([, f]) => f === null)) return null;
    return (s) => {
      const out: Record<string, unknown> = {};
      for (const [k, f] of fields) out[k] = f!(s);
      return out;
    };
  }
  if (keys.length !== 1) return null;
  const op = keys[0]!;
  const arg = expr[op];
  const args = (n: number) => (Array.isArray(arg) && arg.length === n ? arg.map((a) => compile(a, options, bound)) : null);
  switch (op) {
    case '$literal':
      return () => arg;
    case '$concat': {
      const parts = Array.isArray(arg) ? arg.map((a) => compile(a, options, bound)) : null;
      if (!parts || parts.some((p) => p === null)) return null;
      return (s) => {
        let out = '';
        for (const p of parts) {
          const v = p!(s);
          if (isNil(v)) return null;
          if (typeof v !== 'string') throw new Error('$concat only supports strings');
          out += v;
        }
        return out;
      };
    }
    case '$indexOfArray': {
      const a = args(2);
      if (!a || a.some((x) => x === null)) return null;
      const [array, search] = a as Compiled[];
      const first = (arg as unknown[])[0];
      const literal =
        plainObject(first) && Array.isArray(first.$literal) && first.$literal.every(isPrimitive)
          ? (first.$literal as (string | number | boolean)[])
          : null;
      if (literal) {
        const index = new Map<unknown, number>();
        literal.forEach((v, i) => !index.has(v) && index.set(v, i));
        return (s) => {
          const needle = search!(s);
          return (isPrimitive(needle) ? index.get(needle) : undefined) ?? -1;
        };
      }
      return (s) => {
        const list = array!(s);
        if (isNil(list)) return null;
        if (!Array.isArray(list)) throw new Error('$indexOfArray expects an array');
        const needle = search!(s);
        return list.findIndex((v) => isEqual(v, needle));
      };
    }
    case '$arrayElemAt': {
      const a = args(2);
      if (!a || a.some((x) => x === null)) return null;
      const [array, at] = a as Compiled[];
      return (s) => {
        const list = array!(s);
        const i = at!(s);
        if (isNil(list) || isNil(i)) return null;
        if (!Array.isArray(list) || !Number.isInteger(i)) throw new Error('$arrayElemAt expects an array and an integer');
        const n = i as number;
        if (n < 0 && -n <= list.length) return list[n + list.length];
        return n >= 0 && n < list.length ? list[n] : undefined;
      };
    }
    case '$setUnion': {
      const sets = Array.isArray(arg) ? arg.map((a) => compile(a, options, bound)) : null;
      if (!sets || sets.some((x) => x === null)) return null;
      return (s) => {
        const values = sets.map((x) => x!(s));
        if (values.some(isNil)) return null;
        if (!values.every(Array.isArray)) throw new Error('$setUnion expects arrays');
        const all = (values as unknown[][]).flat();
        return all.every((v) => v === null || isPrimitive(v)) ? [...new Set(all)] : unique(flatten(values as unknown[][]));
      };
    }
    case '$let': {
      if (!plainObject(arg) || !plainObject(arg.vars)) return null;
      const vars = Object.entries(arg.vars).map(([k, v]) => [k, compile(v, options, bound)] as const);
      const body = compile(arg.in, options, new Set([...bound, ...Object.keys(arg.vars)]));
      if (!body || vars.some(([, v]) => v === null)) return null;
      return (s) => {
        const scoped: Record<string, unknown> = { ...s.vars };
        for (const [k, v] of vars) scoped[k] = v!(s);
        return body({ root: s.root, vars: scoped });
      };
    }
    case '$cond': {
      const parts = Array.isArray(arg) ? arg : plainObject(arg) ? [arg.if, arg.then, arg.else] : null;
      const c = parts?.length === 3 ? parts.map((p) => compile(p, options, bound)) : null;
      if (!c || c.some((x) => x === null)) return null;
      const [test, then, otherwise] = c as Compiled[];
      return (s) => (truthy(test!(s)) ? then!(s) : otherwise!(s));
    }
    default: {
      const compareWith = COMPARISONS[op];
      const a = compareWith ? args(2) : null;
      if (!compareWith || !a || a.some((x) => x === null)) return null;
      const [left, right] = a as Compiled[];
      const test = SAME_TYPE_TESTS[op]!;
      return (s) => {
        const x = left!(s);
        const y = right!(s);
        const order = sameTypeOrder(x, y);
        // Two numbers, dates or strings compare directly; anything else in mingo's BSON type order.
        return order === null ? compareWith({}, [{ $literal: x }, { $literal: y }], options) : test(order);
      };
    }
  }
}

/** The aggregate's own variables (the command's `let`): the only ones a simple pipeline can see. */
const variablesOf = (options: Options) => (options.variables ?? {}) as Record<string, unknown>;

function fastAddFields(collection: Parameters<typeof $addFields>[0], expr: Document, options: Options) {
  const vars = variablesOf(options);
  const bound = new Set(Object.keys(vars));
  const fields = Object.entries(expr).map(([k, v]) => [k, k.includes('.') ? null : compile(v, options, bound)] as const);
  if (fields.length === 0 || fields.some(([, f]) => f === null)) return $addFields(collection, expr, options);
  return collection.map((obj) => {
    const root = obj as Document;
    const out: Document = { ...root };
    const scope = { root, vars };
    for (const [k, f] of fields) {
      const v = f!(scope);
      if (v === undefined) delete out[k];
      else setValue(out, k, v);
    }
    return out;
  });
}

/** The accumulators `$group` compiles, with mingo's semantics (push turns missing into null). */
const ACCUMULATORS: Record<string, (values: unknown[], count: number, constant: unknown) => unknown> = {
  $push: (values) => values,
  $sum: (values, count, constant) =>
    typeof constant === 'number' ? count * constant : values.reduce<number>((sum, v) => (typeof v === 'number' ? sum + v : sum), 0),
  $max: (values) => values.reduce<unknown>((best, v) => (best === null || compare(v, best) > 0 ? v : best), null),
  $min: (values) => values.reduce<unknown>((best, v) => (isNil(v) ? best : best === null || compare(v, best) < 0 ? v : best), null),
};

/**
 * `$group` with a compiled `_id` and `$push`, `$sum`, `$max`, `$min` accumulators over compiled
 * expressions: groups as mingo does (its groupBy, so the same key equality), in first-seen order.
 */
function fastGroup(collection: Parameters<typeof pipeline.$group>[0], expr: Document, options: Options) {
  const vars = variablesOf(options);
  const bound = new Set(Object.keys(vars));
  const id = '_id' in expr ? compile(expr._id, options, bound) : null;
  const accumulators = Object.entries(expr)
    .filter(([k]) => k !== '_id')
    .map(([k, spec]) => {
      const op = plainObject(spec) && Object.keys(spec).length === 1 ? Object.keys(spec)[0]! : '';
      const reduce = ACCUMULATORS[op];
      const arg = reduce ? (spec as Record<string, unknown>)[op] : undefined;
      return { k, op, reduce, arg, value: reduce ? compile(arg, options, bound) : null };
    });
  if (!id || accumulators.some((a) => !a.reduce || !a.value)) return pipeline.$group(collection, expr as never, options);
  return collection.transform((items) => {
    const groups = groupBy(items as Document[], (root) => id({ root, vars }));
    return Lazy(
      [...groups.entries()].map(([groupId, members]) => {
        const out: Document = {};
        if (groupId !== undefined) out._id = groupId;
        for (const a of accumulators) {
          const counted = a.op === '$sum' && typeof a.arg === 'number';
          const values = counted ? [] : (members as Document[]).map((root) => a.value!({ root, vars }) ?? null);
          out[a.k] = a.reduce!(values, members.length, a.arg);
        }
        return out;
      }),
    );
  });
}

/**
 * `$unwind` of a top-level field without options: one shallow copy per element, as mingo's would
 * make (it copies the path's graph, which for a top-level field is the whole document, shallowly).
 */
function fastUnwind(collection: Parameters<typeof pipeline.$unwind>[0], expr: unknown, options: Options) {
  const field = typeof expr === 'string' && /^\$[^.$]+$/.test(expr) ? expr.slice(1) : null;
  if (!field) return pipeline.$unwind(collection, expr as never, options);
  return collection.transform((docs) =>
    Lazy(
      (docs as Document[]).flatMap((doc) => {
        const value = doc[field];
        if (Array.isArray(value)) return value.map((item) => ({ ...doc, [field]: item }));
        return isEmpty(value) ? [] : [doc];
      }),
    ),
  );
}

/** Stages that never change a document they are given, in the forms `isSimplePipeline` allows. */
const SIMPLE_STAGES = new Set([
  '$match',
  '$group',
  '$sort',
  '$limit',
  '$skip',
  '$count',
  '$addFields',
  '$set',
  '$unwind',
  '$project',
  '$facet',
]);

/**
 * True when no stage of `pipeline` (nested `$facet` branches included) can change a document it was
 * given: only SIMPLE_STAGES, no dotted output path, no `$project` exclusion, no `$unwind` that keeps
 * empty arrays (mingo removes the field in place). Only such pipelines run with EMBEDDED_CONTEXT,
 * whose `$facet` lets branches share documents; any other runs on mingo's own operators.
 */
export function isSimplePipeline(pipeline: unknown): boolean {
  return (
    Array.isArray(pipeline) &&
    pipeline.every((stage) => {
      if (!plainObject(stage) || Object.keys(stage).length !== 1) return false;
      const [name] = Object.keys(stage) as [string];
      const spec = stage[name];
      if (!SIMPLE_STAGES.has(name)) return false;
      if (name === '$facet') return plainObject(spec) && Object.values(spec).every(isSimplePipeline);
      if (name === '$addFields' || name === '$set') return plainObject(spec) && Object.keys(spec).every((k) => !k.includes('.'));
      if (name === '$project')
        return plainObject(spec) && Object.entries(spec).every(([k, v]) => !k.includes('.') && v !== 0 && v !== false);
      if (name === '$unwind') return typeof spec === 'string' || (plainObject(spec) && !spec.preserveNullAndEmptyArrays);
      return true;
    })
  );
}

/**
 * `$facet` in a simple pipeline: each branch gets its own copy of the input list but shares the
 * documents, instead of mingo's deep copy of every document for every branch (the stored documents
 * were cloned once when the aggregation started).
 */
function fastFacet(collection: Parameters<typeof pipeline.$facet>[0], expr: Record<string, Document[]>, options: Options) {
  const branches = Object.entries(expr);
  if (!branches.every(([, stages]) => isSimplePipeline(stages))) return pipeline.$facet(collection, expr as never, options);
  // A stage may be handed mingo's ComputeOptions (which wraps the plain options) or the options themselves.
  const plain = 'options' in options ? (options as unknown as { options: Options }).options : options;
  const branchOptions = { ...plain, processingMode: ProcessingMode.CLONE_OFF };
  return collection.transform((docs) =>
    Lazy([Object.fromEntries(branches.map(([k, stages]) => [k, new Aggregator(stages, branchOptions).run((docs as Document[]).slice())]))]),
  );
}

/**
 * The query operator `$in` over a list of strings, numbers and booleans (and null): a set lookup
 * instead of mingo's intersection of the list with each document's value; other lists go to mingo.
 * As in mingo, a missing or null value matches a list holding null, an array matches by any element.
 */
function fastIn(selector: string, value: unknown, options: Options) {
  const list =
    Array.isArray(value) && value.every((v) => v === null || isPrimitive(v)) ? (value as (string | number | boolean | null)[]) : null;
  if (!list) return query.$in(selector, value as never, options);
  const set = new Set(list.filter((v) => v !== null));
  const matchesNull = list.includes(null);
  return (doc: Document) => {
    const found = resolve(doc, selector, { unwrapArray: true });
    if (isNil(found)) return matchesNull;
    return Array.isArray(found)
      ? found.some((v) => (v === null ? matchesNull : isPrimitive(v) && set.has(v)))
      : isPrimitive(found) && set.has(found);
  };
}

/**
 * Every mingo operator, with the fast stages and `$in` above, for `mingo/aggregator`'s Aggregator and
 * `mingo/query`'s Query (the package's default exports merge their own operators first, so these
 * could not replace them there).
 */
export const EMBEDDED_CONTEXT = Context.init({
  accumulator,
  expression,
  projection,
  window,
  query: { ...query, $in: fastIn },
  pipeline: { ...pipeline, $addFields: fastAddFields, $set: fastAddFields, $unwind: fastUnwind, $group: fastGroup, $facet: fastFacet },
} as Parameters<typeof Context.init>[0]);

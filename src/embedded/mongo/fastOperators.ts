import type { Document } from 'bson';
import { Context } from 'mingo/core';
import { Lazy } from 'mingo/lazy';
import * as accumulator from 'mingo/operators/accumulator';
import * as expression from 'mingo/operators/expression';
import { $eq, $gt, $gte, $lt, $lte, $ne } from 'mingo/operators/expression';
import * as pipeline from 'mingo/operators/pipeline';
import { $addFields } from 'mingo/operators/pipeline';
import * as projection from 'mingo/operators/projection';
import * as query from 'mingo/operators/query';
import * as window from 'mingo/operators/window';
import { flatten, isEmpty, isEqual, isNil, resolve, setValue, unique } from 'mingo/util';

/**
 * A faster `$addFields` (and `$set`) for the embedded server, with mingo's results. mingo evaluates
 * an expression by dispatching every node for every document (~10 µs a node); a stage whose
 * expressions use only the operators below is compiled once into closures instead, which is what
 * makes the behaviour source's per-event ownership stage (lookup tables of the customers' ids)
 * cost ~1 µs an event instead of ~70. Any other operator, or a dotted output field, leaves the whole
 * stage to mingo. `$indexOfArray` on a `$literal` array of strings or numbers uses a hash index
 * built once (the first index of each value, as the linear scan finds it).
 */
type Options = Parameters<typeof $addFields>[2];
type Scope = { root: Document; vars: Record<string, unknown> };
type Compiled = (scope: Scope) => unknown;

const COMPARISONS: Record<string, typeof $eq> = { $eq, $gt, $gte, $lt, $lte, $ne };
const isPrimitive = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
/** MongoDB's truthiness (mingo's strict mode): false, 0, null and missing are false, "" is true. */
const truthy = (v: unknown) => !!v || v === '';
const plainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

function compile(expr: unknown, options: Options): Compiled | null {
  if (typeof expr === 'string' && expr.startsWith('$$')) {
    const [name, ...rest] = expr.slice(2).split('.');
    const path = rest.join('.');
    const base = (s: Scope) => (name === 'ROOT' || name === 'CURRENT' ? s.root : s.vars[name!]);
    return path ? (s) => resolve(base(s) as Document, path) : base;
  }
  if (typeof expr === 'string' && expr.startsWith('$')) {
    const path = expr.slice(1);
    return (s) => resolve(s.root, path);
  }
  if (expr === null || typeof expr !== 'object' || expr instanceof Date) return () => expr;
  if (Array.isArray(expr)) {
    const items = expr.map((e) => compile(e, options));
    if (items.some((i) => i === null)) return null;
    return (s) => items.map((i) => i!(s) ?? null);
  }
  if (!plainObject(expr)) return null;
  const keys = Object.keys(expr);
  if (keys.length !== 1 || !keys[0]!.startsWith('$')) return null;
  const op = keys[0]!;
  const arg = expr[op];
  const args = (n: number) => (Array.isArray(arg) && arg.length === n ? arg.map((a) => compile(a, options)) : null);
  switch (op) {
    case '$literal':
      return () => arg;
    case '$concat': {
      const parts = Array.isArray(arg) ? arg.map((a) => compile(a, options)) : null;
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
      const literal = plainObject(first) && Array.isArray(first.$literal) && first.$literal.every(isPrimitive) ? (first.$literal as (string | number | boolean)[]) : null;
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
      const sets = Array.isArray(arg) ? arg.map((a) => compile(a, options)) : null;
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
      const vars = Object.entries(arg.vars).map(([k, v]) => [k, compile(v, options)] as const);
      const body = compile(arg.in, options);
      if (!body || vars.some(([, v]) => v === null)) return null;
      return (s) => {
        const scoped: Record<string, unknown> = { ...s.vars };
        for (const [k, v] of vars) scoped[k] = v!(s);
        return body({ root: s.root, vars: scoped });
      };
    }
    case '$cond': {
      const parts = Array.isArray(arg) ? arg : plainObject(arg) ? [arg.if, arg.then, arg.else] : null;
      const c = parts?.length === 3 ? parts.map((p) => compile(p, options)) : null;
      if (!c || c.some((x) => x === null)) return null;
      const [test, then, otherwise] = c as Compiled[];
      return (s) => (truthy(test!(s)) ? then!(s) : otherwise!(s));
    }
    default: {
      const compare = COMPARISONS[op];
      const a = compare ? args(2) : null;
      if (!compare || !a || a.some((x) => x === null)) return null;
      // mingo's own comparison (BSON type order), on the evaluated operands.
      return (s) => compare({}, (a as Compiled[]).map((x) => ({ $literal: x(s) })), options);
    }
  }
}

function fastAddFields(collection: Parameters<typeof $addFields>[0], expr: Document, options: Options) {
  const fields = Object.entries(expr).map(([k, v]) => [k, k.includes('.') ? null : compile(v, options)] as const);
  if (fields.length === 0 || fields.some(([, f]) => f === null)) return $addFields(collection, expr, options);
  return collection.map((obj) => {
    const root = obj as Document;
    const out: Document = { ...root };
    const scope = { root, vars: (options.variables ?? {}) as Record<string, unknown> };
    for (const [k, f] of fields) {
      const v = f!(scope);
      if (v === undefined) delete out[k];
      else setValue(out, k, v);
    }
    return out;
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

/**
 * Every mingo operator, with the fast `$addFields`/`$set`, for `mingo/aggregator`'s Aggregator (the
 * package's default export merges its own operators first, so they cannot be replaced there).
 */
export const EMBEDDED_CONTEXT = Context.init({
  accumulator, expression, projection, query, window,
  pipeline: { ...pipeline, $addFields: fastAddFields, $set: fastAddFields, $unwind: fastUnwind },
} as Parameters<typeof Context.init>[0]);

import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';

/**
 * Random GraphQL operations built from the server's own schema, for test/integration/fuzz.test.ts.
 *
 * An operation is data (root fields, their arguments, a selection set, who sends it and to which
 * server) so that fast-check can shrink it; `toRequest` prints it as the HTTP body a client sends.
 * Argument values are drawn per argument type, mostly well-typed but often hostile (NUL bytes, huge
 * and pathological strings, out-of-range numbers, unknown enum values, missing or extra input
 * fields), and 1 in 12 of any type at all. Contract of the inputs: no generated value contains one
 * of the LEAK_MARKERS, so a marker in a reply came from the server, not from an echo of the input.
 */

export type Credential = 'admin' | 'analyst' | 'agent' | 'partner' | 'none';
export type Target = 'development' | 'production';

/** Text that must never reach a client: SQL, stack frames, source paths. */
export const LEAK_MARKERS: readonly (string | RegExp)[] = [
  'SELECT ',
  ' FROM ',
  'syntax error at',
  'relation "',
  '/src/',
  'node_modules',
  '.ts:',
  'stacktrace',
  /\bat (?:async )?[^\s()"]+ \([^()"]*:\d+:\d+\)/, // a stack frame: "at fn (file:1:2)"
  /\bat (?:file:\/\/)?\/[^\s()"]+:\d+:\d+/, // an anonymous one: "at /path/file.js:1:2"
];
export const hasLeakMarker = (text: string) => LEAK_MARKERS.some((m) => (typeof m === 'string' ? text.includes(m) : m.test(text)));

/** A declared variable left out of `variables`, an argument not written, an input field left out. */
export const ABSENT = Symbol('absent');

/** An argument: a variable declared with the argument's own type (coercion happens server side), or written inline. */
/** How an argument is passed: a literal in the document, a variable sent, or a variable's default value (not sent). */
export interface ArgUse {
  name: string;
  type: GraphQLInputType;
  value: unknown;
  inline: boolean;
  asDefault: boolean;
}
export interface FieldSel {
  kind: 'field';
  name: string;
  args: ArgUse[];
  sub: Sel[] | null;
}
export interface FragmentSel {
  kind: 'fragment';
  on: string;
  sub: Sel[];
}
export type Sel = FieldSel | FragmentSel;

export interface FuzzOperation {
  operation: 'query' | 'mutation';
  /** One or more root fields (aliased r0, r1, … when more than one). */
  root: FieldSel[];
  credential: Credential;
  target: Target;
}

/** A safelisted document (operations/*.graphql) with random variables, by text or by hash. */
export interface SafelistedOperation {
  document: string;
  hash: string;
  variables: [name: string, value: unknown][];
  /** 'text': { query }; 'hash': the persisted-query hash only; 'wrong-hash': the text with another document's hash. */
  send: 'text' | 'hash' | 'wrong-hash';
  credential: Credential;
  target: Target;
}

/** Values of the suite's data, so that random operations also reach rows that exist. */
export interface RealValues {
  /** Customer ids and other ids (segments, merges, API keys) that exist. */
  ids: string[];
  /** E-mails, phones, order numbers, cities, handles, tag keys… as the fixtures hold them. */
  strings: string[];
}

const tooLeaky = (s: string) => hasLeakMarker(s);

/** Hostile strings: every family the brief asks for, weighted so that NUL bytes come up often. */
function stringArb(real: RealValues): fc.Arbitrary<string> {
  const small = fc.string({ maxLength: 8 });
  const control = fc.string({ unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 6 });
  return fc
    .oneof(
      { weight: 4, arbitrary: fc.constantFrom(...real.strings, ...real.ids) },
      { weight: 3, arbitrary: fc.string({ maxLength: 24 }) },
      // A NUL byte somewhere: PostgreSQL rejects it in text, so it must become BAD_USER_INPUT, not a 500.
      { weight: 5, arbitrary: fc.tuple(fc.oneof(small, fc.constantFrom(...real.strings)), small).map(([a, b]) => `${a}\u0000${b}`) },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) }, // any code point
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          '',
          ' ',
          '李娜',
          '王小明 ',
          '🙂👍🏽‍🔥',
          '𠜎𠜱',
          '\u202eevil',
          'Ω≈ç√∫',
          'ﷺ',
          '\uFEFFbom',
          'é'.normalize('NFD'),
          'İ',
        ),
      },
      { weight: 1, arbitrary: control },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'x'.repeat(50_000),
          `a@${'.'.repeat(40_000)}@`,
          `${'a'.repeat(30_000)}@example.com`,
          '李'.repeat(20_000),
          '%_\\'.repeat(10_000),
          `+${'8'.repeat(5_000)}`,
          'SO'.padEnd(40_000, '0'),
        ),
      },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          "' OR 1=1 --",
          '\\',
          '%',
          '_',
          '%%',
          "a'b",
          '"',
          '$1',
          '{"$gt":""}',
          '*',
          'null',
          'NaN',
          '-1',
          '1e309',
          'weibo:',
          ':',
          'weibo:lina_88:x',
          '@',
          'a@b',
          '+86',
          '0',
        ),
      },
    )
    .filter((s) => !tooLeaky(s));
}

const intArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -3, max: 120 }) },
  { weight: 2, arbitrary: fc.constantFrom(0, -1, 1, 10, 11, 50, 51, 100, 101, 200, 201, 365, 366, 100_000, 2 ** 31 - 1, -(2 ** 31)) },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 31, 2 ** 53, -(2 ** 53), 1e21, 1.5, -0.5) }, // not Ints: coercion errors
);

const floatArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 3, arbitrary: fc.constantFrom(0, -0, 0.5, 1, 1.0000001, -0.1, 1e-300, 5e-324, 1e308, -1e308, 2, 100) },
);

const dateTimeArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.constantFrom('2026-06-15T12:00:00Z', '2024-03-01T08:00:00Z', '2026-01-01T00:00:00.000+08:00', '1970-01-01T00:00:00Z'),
  },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) }, // years −271821..275760
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '9999-12-31T23:59:59Z',
      '0000-01-01T00:00:00Z',
      '2026-02-30T00:00:00Z',
      '2026-06-15',
      'yesterday',
      '',
      'T',
      1718445600000,
      '2026-06-15T25:00:00Z',
    ),
  },
);

const dateArb: fc.Arbitrary<unknown> = fc.constantFrom(
  '1990-06-16',
  '2026-02-30',
  '0000-00-00',
  '9999-12-31',
  '1990-6-16',
  '',
  'today',
  19900616,
);

/**
 * `_Any` representations, by family: a reference to a customer that exists or not, one missing its key
 * (no id, or a null one), one of another or unknown type, any object, and bare values that are no
 * object at all ("x", numbers, arrays).
 */
function representationArb(real: RealValues, str: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  // 1 in 3 carries a field besides __typename and id.
  const extra = fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('email', 'name', 'id_', '__proto__'), fc.jsonValue({ maxDepth: 1 })) },
  );
  const withExtra = (arb: fc.Arbitrary<Record<string, unknown>>) =>
    fc
      .tuple(arb, extra)
      .map(([o, x]) =>
        x ? Object.defineProperty({ ...o }, x[0], { value: x[1], enumerable: true, configurable: true, writable: true }) : o,
      );
  const id = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom<unknown>(...real.ids) },
    { weight: 1, arbitrary: str },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -1, 1.5, true, {}, [], ['c_tom']) },
  );
  const typename = fc.oneof(fc.constantFrom('Order', 'Nope', '', 'customer', '_Service', '__Schema', 'Query'), str);
  // Cross-shrinking: a failing representation shrinks towards the first family, the simplest.
  return fc.oneof(
    { withCrossShrink: true },
    {
      weight: 2,
      arbitrary: withExtra(fc.constantFrom<Record<string, unknown>>({ __typename: 'Customer' }, { __typename: 'Customer', id: null })),
    },
    { weight: 3, arbitrary: withExtra(id.map((i) => ({ __typename: 'Customer', id: i }))) },
    { weight: 1, arbitrary: withExtra(fc.record({ __typename: typename, id }, { requiredKeys: [] })) },
    { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }) },
    { weight: 2, arbitrary: fc.constantFrom<unknown>('x', '', 'Customer', 0, 1, true, [], ['Customer'], 'c_tom') },
  );
}

/** Anything at all, whatever the type says. */
const anyJson = fc.jsonValue({ maxDepth: 2 }).filter((v) => !tooLeaky(JSON.stringify(v) ?? ''));

/** Builds (and remembers) the value arbitraries of one schema's input types. */
export class InputValues {
  private readonly memo = new Map<string, fc.Arbitrary<unknown>>();
  readonly str: fc.Arbitrary<string>;
  readonly id: fc.Arbitrary<unknown>;

  constructor(readonly real: RealValues) {
    this.str = stringArb(real);
    this.id = fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...real.ids) },
      { weight: 3, arbitrary: this.str },
      // An id that exists with a NUL byte, another character or a change of case added.
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.constantFrom(...real.ids), fc.constantFrom('\u0000', '\u0000', '\u0000x', ' ', '%', 'İ'))
          .map(([id, x]) => `${id}${x}`),
      },
      { weight: 1, arbitrary: fc.integer({ min: -5, max: 5 }) }, // IDs accept Ints
    );
  }

  /** A value for `type`: 1 in 12 of any type (1 in 40 below the top), else as described per type (null now and then, also where non-null). */
  of(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
    const key = `${String(type)}@${Math.min(depth, 4)}`;
    let arb = this.memo.get(key);
    if (!arb) {
      arb = fc.oneof({ weight: depth === 0 ? 11 : 39, arbitrary: this.proper(type, depth) }, { weight: 1, arbitrary: anyJson });
      this.memo.set(key, arb);
    }
    return arb;
  }

  private proper(type: GraphQLInputType, depth: number): fc.Arbitrary<unknown> {
    // Null where it may not be: rarer inside lists and input objects, where one such value spoils the whole argument.
    if (isNonNullType(type))
      return fc.oneof(
        { weight: depth === 0 ? 15 : 60, arbitrary: this.of(type.ofType, depth) },
        { weight: 1, arbitrary: fc.constant(null) },
      );
    const nullable = (arb: fc.Arbitrary<unknown>) => fc.oneof({ weight: 10, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) });
    if (isListType(type)) {
      const item = this.of(type.ofType, depth + 1);
      return nullable(
        fc.oneof(
          { weight: 2, arbitrary: fc.constant([]) },
          { weight: 8, arbitrary: fc.array(item, { minLength: 1, maxLength: 4 }) },
          { weight: 1, arbitrary: fc.array(item, { minLength: 51, maxLength: 120 }) }, // past any list limit
          { weight: 1, arbitrary: item }, // a single value where a list is expected: GraphQL coerces it
        ),
      );
    }
    if (isEnumType(type)) {
      const values = type.getValues().map((v) => v.name);
      return nullable(
        fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom(...values) },
          { weight: 1, arbitrary: fc.constantFrom('NOPE', values[0]!.toLowerCase(), '', `${values[0]} `) },
        ),
      );
    }
    if (isInputObjectType(type)) {
      if (depth > 3) return fc.constant({});
      const fields = Object.values(type.getFields());
      const entries = fields.map((f) => {
        const required = isNonNullType(f.type) && f.defaultValue === undefined;
        const value = this.of(f.type, depth + 1);
        return fc
          .oneof(required ? { weight: 1, arbitrary: fc.constant(ABSENT) } : { weight: 3, arbitrary: fc.constant(ABSENT) }, {
            weight: required ? 15 : 2,
            arbitrary: value,
          })
          .map((v) => [f.name, v] as const);
      });
      // 1 in 10 with a field the type does not have.
      const extra = fc.oneof(
        { weight: 9, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom('extra', 'id', '__proto__', 'constructor', 'city_', 'value'), anyJson) },
      );
      return nullable(
        fc.tuple(fc.tuple(...entries), extra).map(([es, x]) => {
          const out: Record<string, unknown> = {};
          for (const [k, v] of es) if (v !== ABSENT) out[k] = v;
          if (x) Object.defineProperty(out, x[0], { value: x[1], enumerable: true, configurable: true, writable: true });
          return out;
        }),
      );
    }
    switch ((type as GraphQLNamedType).name) {
      case 'String':
        return nullable(this.str);
      case 'ID':
        return nullable(this.id);
      case 'Int':
        return nullable(intArb);
      case 'Float':
        return nullable(floatArb);
      case 'Boolean':
        return nullable(fc.boolean());
      case 'DateTime':
        return nullable(dateTimeArb);
      case 'Date':
        return nullable(dateArb);
      case 'JSON':
        return nullable(fc.oneof(anyJson, this.str));
      case '_Any':
        return representationArb(this.real, this.str);
      default:
        return nullable(fc.oneof(this.str, anyJson));
    }
  }
}

/** Arguments of a field: required ones always, optional ones now and then; inline 1 time in `inlineOneIn`, else a variable (its default value 1 time in 4). */
function argsArb(
  values: InputValues,
  args: readonly GraphQLArgument[],
  optionalWeight: number,
  inlineOneIn: number,
): fc.Arbitrary<ArgUse[]> {
  const uses = args.map((a) => {
    const required = isNonNullType(a.type) && a.defaultValue === undefined;
    // Once in a while a required argument is left out (or its variable declared and not given).
    const value = fc.oneof(
      { weight: required ? 1 : 10 - optionalWeight, arbitrary: fc.constant<unknown>(ABSENT) },
      { weight: required ? 25 : optionalWeight, arbitrary: values.of(a.type) },
    );
    return fc
      .record({ value, inline: fc.nat(inlineOneIn - 1).map((n) => n === 0), asDefault: fc.nat(3).map((n) => n === 0) })
      .map(({ value: v, inline, asDefault }) => ({ name: a.name, type: a.type, value: v, inline, asDefault }));
  });
  return fc.tuple(...uses).map((us) => us.filter((u) => !(u.inline && u.value === ABSENT)));
}

/** Builds (and remembers) the selection-set arbitraries of one schema's output types. */
export class Selections {
  private readonly memo = new Map<string, fc.Arbitrary<Sel[] | null>>();

  constructor(readonly values: InputValues) {}

  /** A small selection on `type`: a few fields, nested `depth` object levels at most; `__typename` and fragments for unions. */
  on(type: GraphQLOutputType, depth: number): fc.Arbitrary<Sel[] | null> {
    const named = getNamedType(type);
    if (isLeafType(named)) return fc.constant(null);
    const key = `${named.name}@${depth}`;
    const known = this.memo.get(key);
    if (known) return known;
    let arb: fc.Arbitrary<Sel[] | null>;
    if (isUnionType(named)) {
      const fragments = named
        .getTypes()
        .map((t) => this.on(t, depth).map((sub) => ({ kind: 'fragment', on: t.name, sub: sub ?? [] }) as FragmentSel));
      arb = fc
        .oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.oneof(...fragments) })
        .map((f) => [typename, ...(f ? [f] : [])]);
    } else if (isObjectType(named) || isInterfaceType(named)) {
      const fields = Object.values(named.getFields()).filter((f) => depth > 0 || isLeafType(getNamedType(f.type)));
      const pick = Math.min(3, fields.length);
      const each = fields.map((f) =>
        fc.oneof(
          { weight: Math.max(1, fields.length - pick), arbitrary: fc.constant(null) },
          { weight: pick, arbitrary: this.field(f, depth - 1) },
        ),
      );
      arb = fc.tuple(...each).map((sels) => {
        const chosen = sels.filter((s): s is FieldSel => s !== null);
        return chosen.length ? chosen : [typename];
      });
    } else {
      arb = fc.constant([typename]);
    }
    this.memo.set(key, arb);
    return arb;
  }

  /** One field with its arguments (optional ones 1 time in 4, half of them inline) and its own selection. */
  field(f: GraphQLField<unknown, unknown>, depth: number, root = false): fc.Arbitrary<FieldSel> {
    return fc
      .tuple(argsArb(this.values, f.args, root ? 5 : 3, root ? 5 : 2), this.on(f.type, Math.max(depth, 0)))
      .map(([args, sub]) => ({ kind: 'field', name: f.name, args, sub }));
  }
}

const typename: FieldSel = { kind: 'field', name: '__typename', args: [], sub: null };

/** Admins and analysts reach the most code, so they call most often. */
export const credentialArb: fc.Arbitrary<Credential> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Credential>('admin') },
  { weight: 3, arbitrary: fc.constant<Credential>('analyst') },
  { weight: 2, arbitrary: fc.constant<Credential>('agent') },
  { weight: 1, arbitrary: fc.constant<Credential>('partner') },
  { weight: 1, arbitrary: fc.constant<Credential>('none') },
);
/** Development (introspection, round-trip header) 3 times in 4, production the rest. */
export const targetArb: fc.Arbitrary<Target> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Target>('development') },
  { weight: 1, arbitrary: fc.constant<Target>('production') },
);

/** fast-check shows a counterexample as the request it stands for (describeOperation), not as its object tree. */
const shownAsRequest = (op: FuzzOperation): FuzzOperation => Object.assign(op, { [fc.toStringMethod]: () => describeOperation(op) });

/** Operations on one root field (`Query.x` or `Mutation.x`), with a selection nested up to two object levels. */
export function rootFieldOperation(
  schema: GraphQLSchema,
  selections: Selections,
  operation: 'query' | 'mutation',
  name: string,
): fc.Arbitrary<FuzzOperation> {
  const root = (operation === 'query' ? schema.getQueryType() : schema.getMutationType())!;
  const field = root.getFields()[name]!;
  return fc
    .record({
      operation: fc.constant(operation),
      root: fc
        .integer({ min: 1, max: 3 })
        .chain((depth) => selections.field(field, depth, true))
        .map((f) => [f]),
      credential: credentialArb,
      target: targetArb,
    })
    .map(shownAsRequest);
}

/**
 * Operations on 1–3 random root fields of Query (or of Mutation), aliased; `weights` makes some root
 * fields likelier (1 for the others).
 */
export function mixedOperation(
  schema: GraphQLSchema,
  selections: Selections,
  operation: 'query' | 'mutation',
  weights: Record<string, number> = {},
  maxFields = 3,
): fc.Arbitrary<FuzzOperation> {
  const root = (operation === 'query' ? schema.getQueryType() : schema.getMutationType())!;
  const fields = Object.values(root.getFields()).map((f) => ({ weight: weights[f.name] ?? 1, arbitrary: selections.field(f, 1, true) }));
  return fc
    .record({
      operation: fc.constant(operation),
      root: fc.array(fc.oneof(...fields), { minLength: 1, maxLength: maxFields }),
      credential: credentialArb,
      target: targetArb,
    })
    .map(shownAsRequest);
}

/** A JS value as a GraphQL literal of `type` (enum values bare when they are names; wrong values printed as they are). */
export function literal(value: unknown, type: GraphQLInputType): string {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) {
    const item = isListType(inner) ? inner.ofType : inner;
    return `[${value.map((v) => literal(v, item)).join(', ')}]`;
  }
  if (typeof value === 'object') {
    const fields = isInputObjectType(inner) ? inner.getFields() : {};
    // Keys that are not GraphQL names would only make parse errors: they are renamed.
    const name = (k: string, i: number) => (/^[_A-Za-z][_0-9A-Za-z]*$/.test(k) ? k : `k${i}`);
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v], i) => `${name(k, i)}: ${literal(v, (fields[k]?.type ?? inner) as GraphQLInputType)}`)
      .join(', ')}}`;
  }
  if (typeof value === 'string') {
    const bare = isEnumType(inner) && /^[_A-Za-z][_0-9A-Za-z]*$/.test(value) && !['true', 'false', 'null'].includes(value);
    return bare ? value : JSON.stringify(value);
  }
  return String(value);
}

/** Drops ABSENT object fields (JSON has no "left out" value). */
const clean = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(clean)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== ABSENT)
            .map(([k, x]) => [k, clean(x)]),
        )
      : v;

/** The operation as the `{ query, variables }` a client POSTs. */
export function toRequest(op: FuzzOperation): { query: string; variables: Record<string, unknown> } {
  const defs: string[] = [];
  const variables: Record<string, unknown> = {};
  const printArg = (a: ArgUse) => {
    if (a.inline) return `${a.name}: ${literal(clean(a.value), a.type)}`;
    const v = `v${defs.length}`;
    if (a.asDefault && a.value !== ABSENT) {
      defs.push(`$${v}: ${String(a.type)} = ${literal(clean(a.value), a.type)}`);
      return `${a.name}: $${v}`;
    }
    defs.push(`$${v}: ${String(a.type)}`);
    if (a.value !== ABSENT) variables[v] = clean(a.value);
    return `${a.name}: $${v}`;
  };
  const printSel = (s: Sel, alias?: string): string => {
    if (s.kind === 'fragment') return `... on ${s.on} { ${s.sub.map((x) => printSel(x)).join(' ')} }`;
    const args = s.args.length ? `(${s.args.map(printArg).join(', ')})` : '';
    const sub = s.sub ? ` { ${s.sub.map((x) => printSel(x)).join(' ')} }` : '';
    return `${alias ? `${alias}: ` : ''}${s.name}${args}${sub}`;
  };
  const body = op.root.map((f, i) => printSel(f, op.root.length > 1 ? `r${i}` : undefined)).join(' ');
  return { query: `${op.operation} Fuzz${defs.length ? `(${defs.join(', ')})` : ''} { ${body} }`, variables };
}

/** Long runs of one character shown as <'c'×n>, long strings cut: counterexamples stay readable. */
export function abbreviate(text: string, max = 1500): string {
  const squeezed = text.replace(/(.)\1{19,}/gs, (run, c: string) => `<${JSON.stringify(c)}×${run.length}>`);
  return squeezed.length > max ? `${squeezed.slice(0, max)}… (${squeezed.length} chars)` : squeezed;
}

/** How a counterexample is shown: the request a client would send, with who sends it where. */
export function describeOperation(op: FuzzOperation): string {
  const { query, variables } = toRequest(op);
  return abbreviate(`[${op.credential} → ${op.target}] ${query}  variables=${JSON.stringify(variables)}`);
}

/** A safelisted document with random values for its variables, sent as text, by hash, or with a wrong hash. */
export function safelistedOperation(
  values: InputValues,
  documents: { document: string; hash: string; variables: [string, GraphQLInputType][] }[],
): fc.Arbitrary<SafelistedOperation> {
  return fc.oneof(
    ...documents.map((d) =>
      fc
        .record({
          document: fc.constant(d.document),
          hash: fc.constant(d.hash),
          variables: fc.tuple(...d.variables.map(([name, type]) => values.of(type).map((v) => [name, v] as [string, unknown]))),
          send: fc.constantFrom<SafelistedOperation['send']>('text', 'text', 'hash', 'wrong-hash'),
          credential: fc.oneof({ weight: 4, arbitrary: fc.constant<Credential>('partner') }, { weight: 1, arbitrary: credentialArb }),
          target: targetArb,
        })
        .map((op) =>
          Object.assign(op, {
            [fc.toStringMethod]: () =>
              abbreviate(
                `[${op.credential} → ${op.target}, by ${op.send}] ${op.document.split('\n').find((l) => l.startsWith('query'))} variables=${JSON.stringify(Object.fromEntries(op.variables))}`,
              ),
          }),
        ),
    ),
  );
}

/** How many values a field's arguments hold (arguments and, two levels down, input fields): more to vary, more runs. */
export function inputSurface(args: readonly GraphQLArgument[]): number {
  const count = (type: GraphQLInputType, depth: number): number => {
    const named = getNamedType(type);
    return (
      1 + (isInputObjectType(named) && depth < 2 ? Object.values(named.getFields()).reduce((n, f) => n + count(f.type, depth + 1), 0) : 0)
    );
  };
  return args.reduce((n, a) => n + count(a.type, 0), 0);
}

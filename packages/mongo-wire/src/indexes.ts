import { EJSON, ObjectId, type Document } from 'bson';
import { CommandError } from './errors';

/** An index as `listIndexes` shows it. Only ascending/descending keys, `unique` and `sparse` exist here. */
export interface IndexSpec {
  v: number;
  key: Document;
  name: string;
  unique?: boolean;
  sparse?: boolean;
}

export const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

export const isPlainObject = (value: unknown): value is Document =>
  value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;

/**
 * The string under which a value is indexed. Values mingo considers equal get the same string for
 * every type a lookup uses (see isLookupValue); null and missing share one key, as in MongoDB.
 */
export function encodeKey(value: unknown): string {
  if (value === null || value === undefined) return 'z';
  switch (typeof value) {
    case 'string':
      return `s${value}`;
    case 'number':
      return `n${String(value)}`;
    case 'boolean':
      return value ? 'b1' : 'b0';
    default:
      if (value instanceof Date) return `d${value.getTime()}`;
      if (value instanceof ObjectId) return `o${value.toHexString()}`;
      return `j${EJSON.stringify(value, { relaxed: false })}`;
  }
}

/** Values an index lookup may serve: those whose key string equality is exactly mingo's equality. */
export function isLookupValue(value: unknown): boolean {
  return (
    typeof value === 'string' ||
    (typeof value === 'number' && !Number.isNaN(value)) ||
    typeof value === 'boolean' ||
    value instanceof Date ||
    value instanceof ObjectId
  );
}

function collect(value: unknown, parts: readonly string[], depth: number, out: unknown[]): void {
  if (depth === parts.length) {
    if (Array.isArray(value)) out.push(...value);
    else out.push(value);
    return;
  }
  const part = parts[depth]!;
  if (Array.isArray(value)) {
    if (/^\d+$/.test(part)) collect(value[Number(part)], parts, depth + 1, out);
    for (const element of value) if (isPlainObject(element)) collect(element, parts, depth, out);
  } else if (isPlainObject(value)) {
    collect(value[part], parts, depth + 1, out);
  }
}

/**
 * Every value a dotted path reaches in a document, descending into arrays as MongoDB's multikey
 * indexes do (an array at the end contributes its elements). `[undefined]` when the path reaches nothing.
 */
export function valuesAtPath(doc: Document, path: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out);
  return out.length > 0 ? out : [undefined];
}

/** Rows under one key: a bare row number while there is one (most keys of a selective index), else a set. */
type Rows = number | Set<number>;

/**
 * One index of a collection, over row numbers (the collection's stable ids for its documents).
 * Every index maps the keys of its FIRST field to rows, which is what lookups use; a unique compound
 * index also maps full compound keys to their row to enforce uniqueness (a unique single-field index
 * uses the first-field map). Documents are never mutated in place (the collection replaces them), so
 * removing recomputes exactly the keys that were added.
 */
export class Index {
  readonly fields: string[];
  private readonly byFirst = new Map<string, Rows>();
  private readonly byFull = new Map<string, number>();

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
  }

  get name(): string {
    return this.spec.name;
  }

  /** `_id_` is unique without saying so, as in MongoDB's listIndexes. */
  private get unique(): boolean {
    return this.spec.unique === true || this.spec.name === ID_INDEX.name;
  }

  /** Per field, the distinct key strings of the document; undefined when a sparse index skips it. */
  private fieldKeys(doc: Document): string[][] | undefined {
    const values = this.fields.map((field) => valuesAtPath(doc, field));
    if (this.spec.sparse && values.every((vs) => vs.every((v) => v === undefined))) return undefined;
    const keys = values.map((vs) => (vs.length === 1 ? [encodeKey(vs[0])] : [...new Set(vs.map(encodeKey))]));
    if (keys.filter((k) => k.length > 1).length > 1) {
      throw new CommandError('CannotIndexParallelArrays', `cannot index parallel arrays in index ${this.name}`);
    }
    return keys;
  }

  /** Compound keys: the product of the per-field keys (at most one field has several). */
  private static fullKeys(fieldKeys: string[][]): string[] {
    return fieldKeys.reduce<string[]>((acc, keys) => acc.flatMap((prefix) => keys.map((k) => `${prefix}\u0000${k}`)), ['']);
  }

  /**
   * Checks that `doc` can enter this index: throws on parallel arrays in a compound key; for a unique
   * index returns the colliding key as `{ field: value }` when another row (not `ownRow`) holds it.
   */
  check(doc: Document, ownRow?: number): Document | undefined {
    if (!this.unique && this.fields.length === 1) return undefined;
    const fieldKeys = this.fieldKeys(doc);
    if (!fieldKeys || !this.unique) return undefined;
    const taken =
      this.fields.length === 1
        ? fieldKeys[0]!.some((key) => [...rowsOf(this.byFirst.get(key))].some((row) => row !== ownRow))
        : Index.fullKeys(fieldKeys).some((key) => {
            const row = this.byFull.get(key);
            return row !== undefined && row !== ownRow;
          });
    return taken ? Object.fromEntries(this.fields.map((f) => [f, valuesAtPath(doc, f)[0] ?? null])) : undefined;
  }

  /** Indexes a document that passed `check`. */
  add(row: number, doc: Document): void {
    const fieldKeys = this.fieldKeys(doc);
    if (!fieldKeys) return;
    for (const key of fieldKeys[0]!) {
      const rows = this.byFirst.get(key);
      if (rows === undefined) this.byFirst.set(key, row);
      else if (typeof rows === 'number') this.byFirst.set(key, new Set([rows, row]));
      else rows.add(row);
    }
    if (this.unique && this.fields.length > 1) for (const key of Index.fullKeys(fieldKeys)) this.byFull.set(key, row);
  }

  remove(row: number, doc: Document): void {
    const fieldKeys = this.fieldKeys(doc);
    if (!fieldKeys) return;
    for (const key of fieldKeys[0]!) {
      const rows = this.byFirst.get(key);
      if (rows === row) this.byFirst.delete(key);
      else if (rows instanceof Set) {
        rows.delete(row);
        if (rows.size === 1) this.byFirst.set(key, rows.values().next().value!);
      }
    }
    if (this.unique && this.fields.length > 1) {
      for (const key of Index.fullKeys(fieldKeys)) if (this.byFull.get(key) === row) this.byFull.delete(key);
    }
  }

  /** Rows whose first field equals one of `values` (all isLookupValue); adds them to `into`. Returns keys examined. */
  lookup(values: readonly unknown[], into: Set<number>): number {
    let keys = 0;
    for (const value of new Set(values.map(encodeKey))) {
      for (const row of rowsOf(this.byFirst.get(value))) {
        into.add(row);
        keys++;
      }
    }
    return keys;
  }

  /** The row of a document by its value on a unique single-field index (used for `_id`). */
  rowOf(value: unknown): number | undefined {
    const rows = this.byFirst.get(encodeKey(value));
    return typeof rows === 'number' ? rows : undefined;
  }
}

function rowsOf(rows: Rows | undefined): Iterable<number> {
  if (rows === undefined) return [];
  return typeof rows === 'number' ? [rows] : rows;
}

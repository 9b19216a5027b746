import { badUserInput } from './errors';

/**
 * Relay connections (https://relay.dev/graphql/connections.htm) over keyset pagination. A cursor is
 * opaque to clients: base64url of `[tag, ...sort key]`, where the tag names the list and its order, so
 * a cursor from another list or order is refused rather than silently misread. `first`/`after` pages
 * forward; `last`/`before` pages backward: the same keyset read in reverse order, its edges handed back
 * in the list's order. Each direction knows cheaply (the one extra row it fetches) whether more edges
 * lie ahead of it; the other direction's flag is false, as the specification allows.
 */
export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export type CursorValue = string | number;

/** What each position of a sort key must be: a safe integer, any string, or an ObjectId in hex. */
export type CursorPart = 'int' | 'string' | 'objectId';

const valid: Record<CursorPart, (v: unknown) => boolean> = {
  int: (v) => Number.isSafeInteger(v),
  string: (v) => typeof v === 'string',
  objectId: (v) => typeof v === 'string' && /^[0-9a-f]{24}$/.test(v),
};

export function encodeCursor(tag: string, key: CursorValue[]): string {
  return Buffer.from(JSON.stringify([tag, ...key])).toString('base64url');
}

/**
 * The sort key in `cursor`, checked against `tag` and the shape `parts`; BAD_USER_INPUT otherwise,
 * so no malformed value ever reaches a query.
 */
export function decodeCursor<P extends CursorPart[]>(
  tag: string,
  cursor: string,
  parts: [...P],
  arg: 'after' | 'before' = 'after',
): { [I in keyof P]: P[I] extends 'int' ? number : string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.length === parts.length + 1 &&
    parsed[0] === tag &&
    parts.every((part, i) => valid[part](parsed[i + 1]));
  if (!ok) {
    throw badUserInput(
      `\`${arg}\` is not a cursor of this list: pass the pageInfo.${arg === 'after' ? 'endCursor' : 'startCursor'} of a page of the same query.`,
      arg,
    );
  }
  return (parsed as unknown[]).slice(1) as never;
}

/** `first` within 1..max, else BAD_USER_INPUT naming the argument and the bound. */
export function checkFirst(first: number, max: number, arg = 'first'): number {
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw badUserInput(`\`${arg}\` must be between 1 and ${max} (got ${first}).`, arg);
  }
  return first;
}

/** The connection arguments of a Relay connection field. */
export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/**
 * Which slice of a list a connection's arguments ask for: `size` edges after the cursor (forward) or
 * before it (backward), the cursor's sort key decoded, or null from the list's start (forward) or end
 * (backward). Without `first` and `last`, the first `defaultSize`. BAD_USER_INPUT for both sizes, or
 * a cursor of the other direction (`first` with `before`, `last` with `after`): a page is read from one
 * end of one keyset, and the message says which arguments go together.
 */
export interface Slice<K> {
  size: number;
  backward: boolean;
  cursor: K | null;
  /** The argument the cursor came from, for messages about its value. */
  cursorArg: 'after' | 'before';
}

export function sliceOf<P extends CursorPart[]>(
  args: ConnectionArgs,
  tag: string,
  parts: [...P],
  bounds: { max: number; defaultSize: number },
): Slice<{ [I in keyof P]: P[I] extends 'int' ? number : string }> {
  if (args.first != null && args.last != null)
    throw badUserInput('Pass `first` (with `after`) or `last` (with `before`), not both.', 'last');
  const backward = args.last != null || (args.first == null && args.before != null);
  if (backward && args.after != null) throw badUserInput('`after` goes with `first`; page backward with `last` and `before`.', 'after');
  if (!backward && args.before != null) throw badUserInput('`before` goes with `last`; page forward with `first` and `after`.', 'before');
  const size = backward
    ? checkFirst(args.last ?? bounds.defaultSize, bounds.max, 'last')
    : checkFirst(args.first ?? bounds.defaultSize, bounds.max);
  const cursorArg = backward ? 'before' : 'after';
  const given = args[cursorArg];
  return { size, backward, cursor: given == null ? null : decodeCursor(tag, given, parts, cursorArg), cursorArg };
}

/** The slice with its cursor's sort key turned into what the list's query takes. */
export const mapCursor = <K, T>(slice: Slice<K>, f: (key: K) => T): Slice<T> => ({
  ...slice,
  cursor: slice.cursor === null ? null : f(slice.cursor),
});

// Classes rather than object literals with getters: a page of 50 customers with 5 orders each makes
// 300 edges, and a literal's getter is a closure and an accessor per object.

class Edge<R, N> {
  constructor(
    private readonly row: R,
    readonly node: N,
    private readonly cursorOf: (row: R) => string,
  ) {}
  get cursor() {
    return this.cursorOf(this.row);
  }
}

class PageInfo<R> {
  constructor(
    readonly hasNextPage: boolean,
    readonly hasPreviousPage: boolean,
    private readonly start: R | undefined,
    private readonly end: R | undefined,
    private readonly cursorOf: (row: R) => string,
  ) {}
  get startCursor() {
    return this.start === undefined ? null : this.cursorOf(this.start);
  }
  get endCursor() {
    return this.end === undefined ? null : this.cursorOf(this.end);
  }
}

/**
 * Builds a page from up to size+1 rows fetched in the slice's reading order (reversed when backward;
 * the extra row only signals more edges in that direction). Edges come out in the list's order.
 * Cursors (each edge's, and pageInfo's) are encoded when read: a page whose cursors nobody asks for skips them.
 */
export function toPage<R, N>(
  rows: R[],
  slice: { size: number; backward: boolean },
  cursorOf: (row: R) => string,
  nodeOf: (row: R) => N,
): Page<N> {
  const shown = rows.slice(0, slice.size);
  if (slice.backward) shown.reverse();
  const edges = shown.map((r) => new Edge(r, nodeOf(r), cursorOf));
  const more = rows.length > slice.size;
  return { edges, pageInfo: new PageInfo(more && !slice.backward, more && slice.backward, shown[0], shown.at(-1), cursorOf) };
}

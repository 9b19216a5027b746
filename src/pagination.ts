import { badUserInput } from './errors';

/**
 * Relay-style pages over keyset pagination. A cursor is opaque to clients: base64url of
 * `[tag, ...sort key]`, where the tag names the list and its order, so a cursor from another list
 * or order is refused rather than silently misread.
 */
export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
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
  arg = 'after',
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
    throw badUserInput(`\`${arg}\` is not a cursor of this list: pass the pageInfo.endCursor of the previous page of the same query.`, arg);
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

/**
 * Builds a page from up to first+1 rows fetched in order (the extra row only signals a next page).
 * Cursors (each edge's, and pageInfo.endCursor) are encoded when read: a page whose cursors nobody asks for skips them.
 */
export function toPage<R, N>(rows: R[], first: number, cursorOf: (row: R) => string, nodeOf: (row: R) => N): Page<N> {
  const shown = rows.slice(0, first);
  const edges = shown.map((r) => ({
    get cursor() {
      return cursorOf(r);
    },
    node: nodeOf(r),
  }));
  const last = shown.at(-1);
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > first,
      get endCursor() {
        return last === undefined ? null : cursorOf(last);
      },
    },
  };
}

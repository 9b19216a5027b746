import type { NodeParent } from '../parents';
import type { Context } from '../context';
import { customerRow } from './customers';
import { segmentById } from './dashboards';

/**
 * Query.node and Query.nodes: the object an id names, typed by its form (a segment's id is the API's
 * own `seg_` + 12 hex digits; any other id is a CRM customer's), read through the same loaders as
 * `customer(id:)` and `segment(id:)`, so the customers of one request share one CRM round trip. The
 * answer carries its __typename: Node's type resolver and the guards (security/guards.ts: audit,
 * partner consent, budget, the role a Segment needs) read it.
 */

const SEGMENT_ID = /^seg_[0-9a-f]{12}$/;

export async function nodeById(ctx: Context, id: string): Promise<NodeParent | null> {
  if (SEGMENT_ID.test(id)) {
    const segment = await segmentById(ctx, id);
    return segment && { __typename: 'Segment', ...segment };
  }
  const row = await customerRow(ctx, id);
  return row && { __typename: 'Customer', id: row.id };
}

export const nodesByIds = (ctx: Context, ids: readonly string[]) => Promise.all(ids.map((id) => nodeById(ctx, id)));

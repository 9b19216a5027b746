import type { AuditEntryConnectionParent } from '../parents';
import type { ApiKeyInput } from '../__generated__/resolvers-types';
import type { Context } from '../context';
import { badUserInput } from '../errors';
import { encodeCursor, sliceOf, toPage, type ConnectionArgs } from '../pagination';
import { ApiKeyInputError } from '../security/apiKeys';
import type { ApiKeyRow } from '../sources/crm/apiKeys';
import { auditPage } from '../sources/crm/audit';

/** Admin use cases of the security schema: the audit log and the partners' keys (admin-only by @auth). */

const INT8_MAX = 2n ** 63n - 1n;
/** An audit entry id as a cursor holds it: a decimal within PostgreSQL's bigint. */
const isAuditId = (v: string) => /^\d{1,19}$/.test(v) && BigInt(v) <= INT8_MAX;

export async function auditLog(ctx: Context, args: ConnectionArgs & { customerId: string }): Promise<AuditEntryConnectionParent> {
  const slice = sliceOf(args, 'audit', ['string'], { max: 200, defaultSize: 50 });
  const cursor = slice.cursor?.[0] ?? null;
  if (cursor !== null && !isAuditId(cursor)) throw badUserInput(`\`${slice.cursorArg}\` is not a cursor of this list.`, slice.cursorArg);
  const rows = await auditPage(ctx.crm.db, args.customerId, cursor, slice.size + 1, slice.backward);
  return toPage(
    rows,
    slice,
    (r) => encodeCursor('audit', [r.id]),
    (r) => r,
  );
}

export async function createApiKey(ctx: Context, input: ApiKeyInput): Promise<{ key: string; apiKey: ApiKeyRow }> {
  try {
    const { key, row } = await ctx.apiKeys.create(
      { partner: input.partner, scopes: input.scopes, ratePerMinute: input.ratePerMinute ?? 60 },
      ctx.principal.subject,
    );
    return { key, apiKey: row };
  } catch (e) {
    if (e instanceof ApiKeyInputError) throw badUserInput(e.message, `input.${e.field}`);
    throw e;
  }
}

export const revokeApiKey = (ctx: Context, id: string) => ctx.apiKeys.revoke(id, ctx.principal.subject);
export const listApiKeys = (ctx: Context, includeRevoked: boolean) => ctx.apiKeys.list(includeRevoked);

import type { GraphQLResolveInfo } from 'graphql';
import type { IdentifierInput } from '../__generated__/resolvers-types';
import type { Context } from '../context';
import { IdentifierKind } from '../enums';
import { badUserInput, conflict } from '../errors';
import { encodeCursor, sliceOf, toPage, type ConnectionArgs } from '../pagination';
import { inTransaction, type Db } from '../sources/crm/db';
import { toLookupKey, type LookupKey } from '../sources/crm/identifiers';
import * as g from '../sources/crm/identity';
import { customerIdsByIdentifiers } from '../sources/crm/queries';

/**
 * The identity graph's use cases: links an agent confirms, merges of duplicate records and their
 * undoing, and the history of all of them. Every write is one transaction that locks the CRM rows
 * of the records it changes (so writes on the same records are serialised, never interleaved) and
 * appends a history row with the state before and after. Answers are read afresh afterwards.
 */

const MAX_TEXT = 1000;
const MAX_HISTORY = 200;

function text(value: string, field: string): string {
  const t = value.trim();
  if (t.length === 0 || t.length > MAX_TEXT) throw badUserInput(`\`${field}\` must have 1 to ${MAX_TEXT} characters.`, field);
  return t;
}

/** The identifier as stored in a link: the lookup key (e-mail lower-cased, phone E.164, ...). */
function linkKey(ctx: Context, identifier: IdentifierInput): LookupKey {
  if (identifier.kind === IdentifierKind.ORDER_NUMBER)
    throw badUserInput('Order numbers belong to orders and cannot be linked.', 'identifier.kind');
  return toLookupKey(identifier.kind, identifier.value, ctx.config.DEFAULT_PHONE_REGION);
}

/** The record, locked, which must exist, not be erased, and not be merged into another. */
async function lockedSurvivor(db: Db, id: string, field: string): Promise<g.RecordState> {
  const [record] = await g.lockRecords(db, [id]);
  if (!record) throw badUserInput(`There is no customer with id "${id}".`, field);
  if (record.status === 'erased') throw conflict(`Customer "${id}" is erased.`, { field });
  if (record.canonical_id !== id)
    throw conflict(`Customer "${id}" is merged into "${record.canonical_id}"; use that id.`, { field, canonicalId: record.canonical_id });
  return record;
}

/** SQLSTATEs of a write that lost a race with another (deadlock, serialisation, a unique key taken meanwhile). */
const RACES = new Set(['40P01', '40001', '23505']);

/**
 * Runs a write in one transaction, then drops what the request loaded. Every writer locks the CRM row
 * of the person's survivor first (the person's lock), so writes about one person run one at a time;
 * a race PostgreSQL still detects is a CONFLICT to retry, never a 500.
 */
async function write<T>(ctx: Context, work: (db: Db) => Promise<T>): Promise<T> {
  try {
    return await inTransaction(ctx.stores.crmPool, ctx.roundTrips, work);
  } catch (e) {
    if (RACES.has((e as { code?: string }).code ?? ''))
      throw conflict('Another change to the same customers ran at the same time; try again.', { retryable: true });
    throw e;
  } finally {
    ctx.forgetLoaded();
  }
}

const linkView = (l: g.LinkRow) => ({
  id: l.id,
  kind: l.kind,
  value: l.value,
  customerId: l.customer_id,
  confidence: l.confidence,
  evidence: l.evidence,
});

/**
 * Links an identifier to a customer (e.g. an agent confirmed a device or a handle). CONFLICT when it
 * already belongs to another person (CRM identity, contact field or link); nothing changes when it
 * is already this person's. Returns the customer's id.
 */
/** A write about customers counts against the caller's hourly budget before anything is written (customerBudget.ts). */
async function spend(ctx: Context, customerIds: string[]): Promise<void> {
  if (!(await ctx.budget.take(customerIds))) throw ctx.budget.refusal();
}

export async function linkIdentity(
  ctx: Context,
  customerId: string,
  identifier: IdentifierInput,
  evidence: string,
  confidence: number,
): Promise<string> {
  const key = linkKey(ctx, identifier);
  const why = text(evidence, 'evidence');
  if (!(confidence > 0 && confidence <= 1)) throw badUserInput('`confidence` must be in (0, 1].', 'confidence');
  await spend(ctx, [customerId]);
  await write(ctx, async (db) => {
    await lockedSurvivor(db, customerId, 'customerId');
    await g.lockIdentifier(db, key.kind, key.key);
    const owners = [...new Set((await customerIdsByIdentifiers(db, [key])).map((r) => r.customer_id))];
    const others = owners.filter((id) => id !== customerId);
    if (others.length > 0) {
      // Naming the holder tells who owns the identifier: a read of those customers, budgeted and audited.
      await spend(ctx, others);
      for (const other of others) ctx.audit.record(other, 'Mutation.linkIdentity');
      throw conflict(
        `This ${key.kind.replace('_', ' ')} already belongs to customer ${others.join(', ')}; unlink it there first, or merge the records.`,
        { field: 'identifier', linkedTo: others },
      );
    }
    if (owners.length > 0) return; // already this person's
    const link = await g.insertLink(db, {
      kind: key.kind,
      value: key.key,
      customerId,
      confidence,
      evidence: why,
      actor: ctx.principal.subject,
    });
    await g.insertHistory(db, {
      actor: ctx.principal.subject,
      action: 'link',
      customerIds: [customerId],
      reason: why,
      linkId: link.id,
      before: { link: null },
      after: { link: linkView(link) },
    });
  });
  return customerId;
}

/** Removes a link made through the API from the customer's person; CRM identities are the CRM's own. */
export async function unlinkIdentity(ctx: Context, customerId: string, identifier: IdentifierInput, reason: string): Promise<string> {
  const key = linkKey(ctx, identifier);
  const why = text(reason, 'reason');
  await spend(ctx, [customerId]);
  await write(ctx, async (db) => {
    const survivor = await lockedSurvivor(db, customerId, 'customerId');
    await g.lockIdentifier(db, key.kind, key.key);
    const link = await g.activeLink(db, key.kind, key.key);
    const members = new Set([survivor.id, ...(await g.mergeLinksOf(db, [survivor.id])).map((l) => l.value)]);
    if (!link || !members.has(link.customer_id)) {
      throw badUserInput(
        `Customer "${customerId}" has no link of this ${key.kind.replace('_', ' ')} made through the API (CRM identities change in the CRM).`,
        'identifier',
      );
    }
    await g.removeLink(db, link.id, ctx.principal.subject);
    await g.insertHistory(db, {
      actor: ctx.principal.subject,
      action: 'unlink',
      customerIds: [customerId, link.customer_id],
      reason: why,
      linkId: link.id,
      before: { link: linkView(link) },
      after: { link: null },
    });
  });
  return customerId;
}

/** Who points at whom among the people of `survivors`: [record, survivor] pairs, for the history. */
const mergeState = async (db: Db, survivors: string[]) => (await g.mergeLinksOf(db, survivors)).map((l) => [l.value, l.customer_id]);

/**
 * Merges records into a survivor, without changing any of them: from now on each merged record
 * (and any record merged into it before) resolves to the survivor, and the survivor's fields see
 * the union of all their data. Refused (CONFLICT) for a merged or erased record, so chains are
 * flattened and cycles cannot form.
 */
export async function mergeCustomers(ctx: Context, survivorId: string, mergedIds: readonly string[], reason: string): Promise<g.MergeRow> {
  const why = text(reason, 'reason');
  const merged = [...new Set(mergedIds)];
  // At most 20: the argument's @constraint(maxItems:), checked before anything runs.
  if (merged.length === 0) throw badUserInput('`mergedIds` must name 1 to 20 customers.', 'mergedIds');
  if (merged.includes(survivorId)) throw badUserInput('The survivor cannot be merged into itself.', 'mergedIds');
  return write(ctx, async (db) => {
    const records = new Map((await g.lockRecords(db, [survivorId, ...merged])).map((r) => [r.id, r]));
    for (const id of [survivorId, ...merged]) {
      const r = records.get(id);
      const field = id === survivorId ? 'survivorId' : 'mergedIds';
      if (!r) throw badUserInput(`There is no customer with id "${id}".`, field);
      if (r.status === 'erased') throw conflict(`Customer "${id}" is erased.`, { field });
      if (r.canonical_id !== id)
        throw conflict(`Customer "${id}" is already merged into "${r.canonical_id}".`, { field, canonicalId: r.canonical_id });
    }
    const erasing = await g.unfinishedErasures(db, [survivorId, ...merged]);
    if (erasing.length > 0)
      throw conflict(`Customers ${erasing.join(', ')} are being erased; finish the erasure (eraseCustomer) first.`, { field: 'mergedIds' });
    const before = await mergeState(db, [survivorId, ...merged]);
    const merge = await g.insertMerge(db, { survivorId, mergedIds: merged, reason: why, actor: ctx.principal.subject });
    await g.linkMerged(db, merge.id, survivorId, merged, ctx.principal.subject);
    const after = await mergeState(db, [survivorId]);
    await g.insertHistory(db, {
      actor: ctx.principal.subject,
      action: 'merge',
      customerIds: [survivorId, ...after.map(([record]) => record!)],
      reason: why,
      mergeId: merge.id,
      before: { merges: before },
      after: { merges: after },
    });
    return merge;
  });
}

/**
 * The merge and the later merges in force that depend on it, oldest first. A later merge depends on
 * it when it merged one of its records (its survivor, or a record merged into it) into another
 * survivor, superseding its links; so do merges depending on those. Merging more records into the
 * same survivor does not.
 */
async function mergeChain(db: Db, merge: g.MergeRow): Promise<g.MergeRow[]> {
  const chain = [merge];
  const involved = new Set([merge.survivor_id, ...(await g.recordsLinkedBy(db, [merge.id]))]);
  for (const later of await g.laterMerges(db, merge.id)) {
    if (!later.merged_ids.some((id) => involved.has(id))) continue;
    chain.push(later);
    involved.add(later.survivor_id);
  }
  return chain;
}

/**
 * Undoes a merge, restoring every record's resolution as it was before it. Later merges in force
 * that involve its records depend on it: CONFLICT naming them, or with `cascade` they are undone
 * first, newest first. Returns the merges undone, in the order they were undone.
 */
export async function unmergeCustomers(ctx: Context, mergeId: string, reason: string, cascade: boolean): Promise<g.MergeRow[]> {
  const why = text(reason, 'reason');
  if (!/^[1-9]\d{0,17}$/.test(mergeId)) throw badUserInput(`"${mergeId}" is not a merge id.`, 'mergeId');
  return write(ctx, async (db) => {
    const merge = await g.mergeById(db, mergeId);
    if (!merge) throw badUserInput(`There is no merge ${mergeId}.`, 'mergeId');
    if (merge.undone_at) throw conflict(`Merge ${mergeId} was already undone.`, { field: 'mergeId' });
    const chain = await mergeChain(db, merge);
    await g.lockRecords(db, [
      ...new Set([
        ...chain.flatMap((m) => [m.survivor_id, ...m.merged_ids]),
        ...(await g.recordsLinkedBy(
          db,
          chain.map((m) => m.id),
        )),
      ]),
    ]);
    const locked = await mergeChain(db, merge);
    if (locked.map((m) => m.id).join() !== chain.map((m) => m.id).join()) {
      throw conflict(`Merges involving merge ${mergeId}'s records changed while it was being undone; try again.`, { field: 'mergeId' });
    }
    if ((await g.mergeById(db, mergeId))?.undone_at) throw conflict(`Merge ${mergeId} was already undone.`, { field: 'mergeId' });
    const dependents = chain.slice(1).reverse();
    if (dependents.length > 0 && !cascade) {
      throw conflict(
        `Later merges depend on merge ${mergeId}: undo ${dependents.map((m) => m.id).join(', ')} first (in that order), or pass cascade: true.`,
        {
          field: 'mergeId',
          dependentMerges: dependents.map((m) => m.id),
        },
      );
    }
    const undone: g.MergeRow[] = [];
    for (const m of [...dependents, merge]) {
      const before = await mergeState(db, [m.survivor_id]);
      undone.push(await g.undoMerge(db, m.id, ctx.principal.subject, why));
      const after = await mergeState(db, [m.survivor_id, ...m.merged_ids]);
      await g.insertHistory(db, {
        actor: ctx.principal.subject,
        action: 'unmerge',
        customerIds: [m.survivor_id, ...before.map(([record]) => record!)],
        reason: why,
        mergeId: m.id,
        before: { merges: before },
        after: { merges: after },
      });
    }
    return undone;
  });
}

/** Query.identityHistory: attributed to the customer asked for, so the identifiers it shows are audited as theirs. */
export async function identityHistory(ctx: Context, customerId: string, args: ConnectionArgs, info: GraphQLResolveInfo) {
  const slice = sliceOf(args, 'identityHistory', ['string'], { max: MAX_HISTORY, defaultSize: 50 });
  const cursor = slice.cursor?.[0] ?? null;
  if (cursor !== null && !/^\d{1,18}$/.test(cursor))
    throw badUserInput(`\`${slice.cursorArg}\` is not a cursor of this list.`, slice.cursorArg);
  ctx.audit.customerAt(info.path, customerId);
  const rows = await g.historyOf(ctx.crm.db, customerId, cursor, slice.size + 1, slice.backward);
  // A row may name records that are no longer this person's (after an unmerge): their logs show the read too.
  for (const r of rows.slice(0, slice.size)) for (const id of r.customer_ids) ctx.audit.record(id, 'IdentityChange.before');
  return toPage(
    rows,
    slice,
    (r) => encodeCursor('identityHistory', [r.id]),
    (r) => r,
  );
}

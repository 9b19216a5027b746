import { GraphQLError, responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import type { Context } from '../../context';
import { ErasureStatus, IdentifierKind, Source } from '../../enums';
import { badUserInput, conflict, isConflict, SourceError } from '../../errors';
import { behaviourCall } from '../../sources/behaviour/client';
import { addOwner, deleteOwnedEvents } from '../../sources/behaviour/queries';
import { crmSourceError, inTransaction } from '../../sources/crm/db';
import { lockRecords, mergeLinksOf } from '../../sources/crm/identity';
import {
  completeStep,
  crmErasureRefusal,
  eraseCustomerRows,
  erasuresOf,
  openErasure,
  recordFailure,
  writeRefusalOf,
  type ErasureRow,
} from '../../sources/crm/privacy';
import { phoneRegionOf, toLookupKey, type LookupKey } from '../../sources/crm/identifiers';
import { customerIdsByIdentifiers, customersByIds } from '../../sources/crm/queries';
import type { CustomerRow, IdentityRow } from '../../sources/crm/rows';
import { refreshSearchIndex } from '../../sources/crm/searchIndex';
import { forgetAccounts } from '../../sources/social/loaders';
import { socialRefsOf } from '../social';

/**
 * Mutation.eraseCustomer: removes or irreversibly anonymises a person's data in every source, one
 * step per source, in this order: BEHAVIOUR (their events, also the anonymous ones under their
 * anonymous and device ids; an event there that names another customer is that customer's, and
 * kept), SOCIAL (this process's cached provider answers about their handles), CRM (one transaction,
 * then the search index). The identifiers the first two need are read from the CRM
 * before its step deletes them, so a run that stops part-way finds them again when re-run.
 *
 * Progress is recorded in c360.erasures after each step. A step that fails stops the run: the
 * erasure stays INCOMPLETE with the steps left in `remaining` and the failure in `last_error` (no
 * internals), and the mutation answers that state with a SOURCE_UNAVAILABLE error alongside
 * (`extensions.source` and `reason`). Calling it again continues the customer's unfinished
 * erasure (keeping its original reason and requester); once complete, a new call is a new erasure
 * that repeats every step, which changes nothing that was already erased. Admin-only (@auth).
 */

/** The order of the steps: behaviour and social need the identities the CRM step deletes. */
const STEPS: Source[] = [Source.BEHAVIOUR, Source.SOCIAL, Source.CRM];

const MAX_REASON = 1000;

/** Deletes the person's events; answers how many events naming another customer it kept under their anonymous and device ids. */
async function eraseBehaviour(ctx: Context, customerId: string, identities: IdentityRow[]): Promise<number> {
  return behaviourCall(ctx.stores.behaviourDb, () => {
    ctx.roundTrips.behaviour += 2;
    return deleteOwnedEvents(ctx.stores.behaviourDb, addOwner(new Map(), customerId, identities));
  });
}

async function eraseSocial(ctx: Context, customerId: string): Promise<void> {
  forgetAccounts(ctx.stores.social, await socialRefsOf(ctx, customerId));
}

/** The CRM refuses the erasure's writes by its make-up: nothing was done, and the admin is told why. */
const erasureRefused = (refusal: string) =>
  new GraphQLError(
    `The CRM refuses the erasure's writes (${refusal}); nothing was erased. Make the relations the erasure writes updatable (docs/own-crm.md, "What must be writable").`,
    { extensions: { code: 'SOURCE_UNAVAILABLE', source: Source.CRM, reason: 'not_writable' } },
  );

/** A record that takes part in a merge is not erased (its survivor's answers would change under it): unmerge first. */
const partOfMerge = (customerId: string, canonicalId: string) =>
  conflict(`Customer "${customerId}" is part of a merge (survivor ${canonicalId}); unmerge it first, then erase each record.`, {
    field: 'id',
  });

async function eraseCrm(ctx: Context, customerId: string): Promise<void> {
  await inTransaction(ctx.stores.crmPool, ctx.roundTrips, async (db) => {
    // Re-checked under the row lock every merge takes (identity.ts): a merge made since the erasure began is seen here.
    const [record] = await lockRecords(db, [customerId]);
    if (record && (record.canonical_id !== customerId || (await mergeLinksOf(db, [customerId])).length > 0))
      throw partOfMerge(customerId, record.canonical_id);
    await eraseCustomerRows(db, customerId);
  });
  ctx.roundTrips.crm += 1;
  try {
    await refreshSearchIndex(ctx.stores.crmPool, { wait: true });
  } catch (e) {
    throw crmSourceError(e);
  }
}

/** Runs one step; the behaviour step answers the events it kept (erasures.kept_shared_events), the others null. */
async function runStep(ctx: Context, step: Source, customerId: string, identities: IdentityRow[]): Promise<number | null> {
  switch (step) {
    case Source.BEHAVIOUR:
      return eraseBehaviour(ctx, customerId, identities);
    case Source.SOCIAL:
      await eraseSocial(ctx, customerId);
      return null;
    case Source.CRM:
      await eraseCrm(ctx, customerId);
      return null;
  }
}

/**
 * A step's failure as the client sees it: a source failure as it is, the CRM refusing the writes by
 * its make-up (a view it cannot update, a missing right) as `not_writable`; anything else is logged in
 * full and shown as `failed`.
 */
function stepError(ctx: Context, step: Source, e: unknown): SourceError {
  if (e instanceof SourceError) return e;
  if (writeRefusalOf(e)) return new SourceError(step, 'not_writable', e);
  ctx.logger.error({ err: e, requestId: ctx.requestId, step }, 'erasure step failed unexpectedly');
  return new SourceError(step, 'failed', e);
}

/**
 * Other customers sharing the person's e-mail, phone or any identity value, matched as the lookups
 * match them (customerBy: normalised e-mails and phones, exact device and other ids). They may be the
 * same person, whom this erasure does not reach; read before the CRM step deletes the identities.
 */
async function possibleDuplicates(ctx: Context, customer: CustomerRow, identities: IdentityRow[]): Promise<string[]> {
  const values: [IdentifierKind, string | null][] = [
    [IdentifierKind.EMAIL, customer.email],
    [IdentifierKind.PHONE, customer.phone],
    ...identities.flatMap((i): [IdentifierKind, string][] => (i.kind === 'customer_id' ? [] : [[i.kind, i.value]])),
  ];
  const keys: LookupKey[] = [];
  for (const [kind, value] of values) {
    if (!value?.trim()) continue;
    try {
      // The person's own stored numbers are read in their country.
      keys.push(toLookupKey(kind, value, phoneRegionOf(customer.country, ctx.config.DEFAULT_PHONE_REGION)));
    } catch {
      // A stored value no lookup could ask for (e.g. not a phone number) matches nobody either.
    }
  }
  if (keys.length === 0) return [];
  const rows = await customerIdsByIdentifiers(ctx.crm.db, keys);
  return [...new Set(rows.map((r) => r.customer_id))].filter((id) => id !== customer.id).sort();
}

export async function eraseCustomer(ctx: Context, customerId: string, reason: string, info: GraphQLResolveInfo): Promise<ErasureRow> {
  const why = reason.trim();
  if (why.length === 0 || why.length > MAX_REASON) throw badUserInput(`\`reason\` must have 1 to ${MAX_REASON} characters.`, 'reason');
  const [customer] = await customersByIds(ctx.crm.db, [customerId]);
  if (!customer) throw badUserInput(`There is no customer with id "${customerId}".`, 'id');
  const identities = await ctx.crm.loaders.identities.load(customerId);
  if (customer.canonical_id !== customer.id || identities.some((i) => i.kind === 'customer_id'))
    throw partOfMerge(customerId, customer.canonical_id);
  // Before any step: a CRM that cannot take the erasure's writes (docs/own-crm.md) must not see the
  // person's events deleted first and the erasure left half done.
  const refusal = await crmErasureRefusal(ctx.stores.crmPool, ctx.roundTrips);
  if (refusal) throw erasureRefused(refusal);
  const duplicates = await possibleDuplicates(ctx, customer, identities);
  let erasure = await inTransaction(ctx.stores.crmPool, ctx.roundTrips, (db) =>
    openErasure(db, customerId, ctx.principal.subject, why, STEPS, duplicates),
  );
  for (const step of STEPS.filter((s) => erasure.remaining.includes(s))) {
    let kept: number | null;
    try {
      kept = await runStep(ctx, step, customerId, identities);
    } catch (e) {
      if (isConflict(e)) throw e;
      const error = stepError(ctx, step, e);
      const refusal = writeRefusalOf(error.originalError);
      erasure = await recordFailure(
        ctx.crm.db,
        erasure.id,
        refusal
          ? `The ${error.sourceName} source refused the erasure's writes: ${refusal}.`
          : `The ${error.sourceName} source is unavailable (${error.reason}).`,
      );
      if (erasure.status === ErasureStatus.COMPLETE) return erasure; // a concurrent run finished it
      ctx.logger.warn(
        {
          requestId: ctx.requestId,
          customerId,
          erasureId: erasure.id,
          source: error.sourceName,
          reason: error.reason,
          err: error.originalError,
        },
        'erasure incomplete',
      );
      ctx.partialErrors.push({
        message: `The erasure is incomplete: the ${error.sourceName} source is unavailable (${error.reason}). Run eraseCustomer again to finish it.`,
        path: responsePathAsArray(info.path),
        extensions: { ...error.extensions, partial: true },
      });
      return erasure;
    }
    erasure = await completeStep(ctx.crm.db, erasure.id, step, kept);
  }
  return erasure;
}

/** Query.erasures: the customer's erasures, newest first ([] for an unknown id). */
export const erasuresOfCustomer = (ctx: Context, customerId: string) => erasuresOf(ctx.crm.db, customerId);

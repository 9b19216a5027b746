import { randomBytes } from 'node:crypto';
import type { Context } from '../context';
import { badUserInput } from '../errors';
import { variantResults, variantsProblem, type VariantResult } from '../insights/experiments';
import { inTransaction } from '../sources/crm/db';
import * as q from '../sources/crm/experiments';

/**
 * Experiments on the recommendations (docs/concepts.md "Experiments"): the admin writes (stamped with
 * the caller's subject: the table is their audit trail) and the results. Enrolment and exposures
 * happen in services/recommendations.ts.
 */

export interface ExperimentInput {
  name: string;
  placement: q.Placement;
  variants: q.Variant[];
  conversionWindowDays?: number | null;
}

/** Creates a running experiment, checked first; BAD_USER_INPUT naming the experiment already running at the placement. */
export async function createExperiment(ctx: Context, input: ExperimentInput): Promise<q.ExperimentRow> {
  const name = input.name.trim();
  if (!name) throw badUserInput('An experiment needs a name.', 'input.name');
  const variants = input.variants.map((v) => ({ name: v.name.trim(), strategy: v.strategy, share: v.share }));
  const problem = variantsProblem(variants);
  if (problem) throw badUserInput(problem.message, `input.${problem.field}`);
  const windowDays = input.conversionWindowDays ?? 14;
  if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > 90)
    throw badUserInput(`conversionWindowDays must be between 1 and 90 (got ${windowDays}).`, 'input.conversionWindowDays');
  const id = `exp_${randomBytes(6).toString('hex')}`;
  const result = await inTransaction(ctx.stores.crmPool, ctx.roundTrips, (db) =>
    q.insertExperiment(db, { id, name, placement: input.placement, variants, windowDays, actor: ctx.principal.subject }),
  );
  if ('running' in result) {
    const r = result.running;
    throw badUserInput(
      `The experiment "${r.name}" (${r.id}) is running at ${r.placement}: stop it first (one running experiment per placement).`,
      'input.placement',
    );
  }
  return result.created;
}

export const stopExperiment = (ctx: Context, id: string) => q.stopExperiment(ctx.crm.db, id, ctx.principal.subject);

export const experiments = (ctx: Context) => q.listExperiments(ctx.crm.db);

/** The experiment and its variants' results (insights/experiments.ts variantResults); null when there is no such experiment. */
export async function experimentResults(
  ctx: Context,
  id: string,
): Promise<{ experiment: q.ExperimentRow; variants: VariantResult[] } | null> {
  const counts = await q.experimentCounts(ctx.crm.db, id);
  return counts[0] ? { experiment: counts[0].experiment, variants: variantResults(counts) } : null;
}

import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js';
import type { Context } from '../context';
import { badUserInput } from '../errors';
import { checkFirst, decodeCursor, encodeCursor, toPage, type Page } from '../pagination';
import { DEFAULT_MIN_SCORE, duplicateCandidates as candidates, type DuplicateCandidate } from '../sources/crm/duplicates';

const TAG = 'duplicateCandidates';
const MAX_PAGE = 100;

/**
 * Query.duplicateCandidates: one page of pairs, best first. The cursor carries the last pair's
 * (score, a, b) and the page's minScore is the caller's to repeat (a cursor does not change it).
 */
export async function duplicateCandidates(
  ctx: Context,
  args: { first?: number | null; after?: string | null; minScore?: number | null },
): Promise<Page<DuplicateCandidate>> {
  const first = checkFirst(args.first ?? 20, MAX_PAGE);
  const minScore = args.minScore ?? DEFAULT_MIN_SCORE;
  if (!(minScore > 0 && minScore <= 1)) throw badUserInput('`minScore` must be in (0, 1].', 'minScore');
  const after = args.after == null ? null : decodeCursor(TAG, args.after, ['string', 'string', 'string']);
  const cursor = after && { score: Number(after[0]), a: after[1], b: after[2] };
  if (cursor && !(cursor.score > 0 && cursor.score <= 1)) throw badUserInput('`after` is not a cursor of this list.', 'after');
  const rows = await candidates(ctx.crm.db, {
    minScore,
    first,
    after: cursor,
    countryCallingCode: getCountryCallingCode(ctx.config.DEFAULT_PHONE_REGION as CountryCode),
  });
  return toPage(
    rows,
    first,
    (r) => encodeCursor(TAG, [String(r.score), r.a, r.b]),
    (r) => r,
  );
}

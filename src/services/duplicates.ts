import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js';
import type { Context } from '../context';
import { badUserInput } from '../errors';
import { encodeCursor, sliceOf, toPage, type ConnectionArgs, type Page } from '../pagination';
import { DEFAULT_MIN_SCORE, duplicateCandidates as candidates, type DuplicateCandidate } from '../sources/crm/duplicates';

const TAG = 'duplicateCandidates';
const MAX_PAGE = 100;

/**
 * Query.duplicateCandidates: one page of pairs, best first. The cursor carries the last pair's
 * (score, a, b) and the page's minScore is the caller's to repeat (a cursor does not change it).
 */
export async function duplicateCandidates(
  ctx: Context,
  args: ConnectionArgs & { minScore?: number | null },
): Promise<Page<DuplicateCandidate>> {
  const slice = sliceOf(args, TAG, ['string', 'string', 'string'], { max: MAX_PAGE, defaultSize: 20 });
  const minScore = args.minScore ?? DEFAULT_MIN_SCORE;
  if (!(minScore > 0 && minScore <= 1)) throw badUserInput('`minScore` must be in (0, 1].', 'minScore');
  const cursor = slice.cursor && { score: Number(slice.cursor[0]), a: slice.cursor[1], b: slice.cursor[2] };
  if (cursor && !(cursor.score > 0 && cursor.score <= 1))
    throw badUserInput(`\`${slice.cursorArg}\` is not a cursor of this list.`, slice.cursorArg);
  const rows = await candidates(ctx.crm.db, {
    minScore,
    first: slice.size,
    after: cursor,
    backward: slice.backward,
    countryCallingCode: getCountryCallingCode(ctx.config.DEFAULT_PHONE_REGION as CountryCode),
  });
  return toPage(
    rows,
    slice,
    (r) => encodeCursor(TAG, [String(r.score), r.a, r.b]),
    (r) => r,
  );
}

import type { Context } from '../context';
import { badUserInput } from '../errors';
import type { TagFamily } from '../enums';
import type { TagDefinitionRow } from '../sources/crm/tagDefinitions';
import { TagDefinitionError } from './tagRegistry';

/**
 * Admin changes to the tag definitions (admin-only by @auth on Mutation); each saves a new version,
 * stamped with the caller's subject (the table is the audit trail).
 */

export async function saveTagDefinition(
  ctx: Context,
  input: { key: string; label: string; family: TagFamily; description: string; expression: string },
): Promise<TagDefinitionRow> {
  try {
    return await ctx.tags.upsert(input, ctx.principal.subject);
  } catch (e) {
    if (e instanceof TagDefinitionError) throw badUserInput(e.message, `input.${e.field}`);
    throw e;
  }
}

export async function disableTag(ctx: Context, key: string): Promise<TagDefinitionRow | null> {
  return ctx.tags.disable(key, ctx.principal.subject);
}

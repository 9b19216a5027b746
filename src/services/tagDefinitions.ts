import type { Context } from '../context';
import { badUserInput } from '../errors';
import type { TagDefinitionRow, TagFamily } from '../insights/tags/definitions';
import { TagDefinitionError } from '../insights/tags/registry';
import { requireAdmin } from './insights';

/** Admin changes to the tag definitions; each saves a new version (the table is the audit trail). */

const actorOf = (ctx: Context) => (ctx.admin ? 'admin-token' : 'anonymous');

export async function saveTagDefinition(
  ctx: Context,
  input: { key: string; label: string; family: TagFamily; description: string; expression: string },
): Promise<TagDefinitionRow> {
  requireAdmin(ctx);
  try {
    return await ctx.tags.upsert(input, actorOf(ctx));
  } catch (e) {
    if (e instanceof TagDefinitionError) throw badUserInput(e.message, `input.${e.field}`);
    throw e;
  }
}

export async function disableTag(ctx: Context, key: string): Promise<TagDefinitionRow | null> {
  requireAdmin(ctx);
  return ctx.tags.disable(key, actorOf(ctx));
}

import type { Context } from '../context';
import { badUserInput } from '../errors';
import type { TagDefinitionRow, TagFamily } from '../insights/tags/definitions';
import { forbidden } from '../errors';
import { TagDefinitionError } from '../insights/tags/registry';

/** Admin changes to the tag definitions; each saves a new version (the table is the audit trail). */

export function requireAdmin(ctx: Context): void {
  if (!ctx.admin) throw forbidden('This operation needs the x-admin-token header (ADMIN_TOKEN).');
}

/** Who saved a version: the one admin credential there is until the security work brings identities. */
const ACTOR = 'admin-token';

export async function saveTagDefinition(
  ctx: Context,
  input: { key: string; label: string; family: TagFamily; description: string; expression: string },
): Promise<TagDefinitionRow> {
  requireAdmin(ctx);
  try {
    return await ctx.tags.upsert(input, ACTOR);
  } catch (e) {
    if (e instanceof TagDefinitionError) throw badUserInput(e.message, `input.${e.field}`);
    throw e;
  }
}

export async function disableTag(ctx: Context, key: string): Promise<TagDefinitionRow | null> {
  requireAdmin(ctx);
  return ctx.tags.disable(key, ACTOR);
}

import { compileCondition, type Condition } from './expression';
import type { TagDefinitionRow } from '../../sources/crm/tagDefinitions';
import { SAMPLE_FACTS, isFactGroup } from './facts';

export interface CompiledTag {
  definition: TagDefinitionRow;
  condition: Condition;
}

export const TAG_KEY = /^[a-z][a-z0-9_]{1,62}$/;

/**
 * Why a draft expression cannot be saved, or null when it can: it must parse, name only known fact
 * groups, and give a bool on facts with every group filled.
 */
export function expressionProblem(expression: string): string | null {
  let condition: Condition;
  try {
    condition = compileCondition(expression);
  } catch (e) {
    return (e as Error).message;
  }
  const unknown = [...condition.groups].filter((g) => !isFactGroup(g));
  if (unknown.length)
    return `unknown fact group ${unknown.map((g) => `facts.${g}`).join(', ')} (known: ${Object.keys(SAMPLE_FACTS).join(', ')})`;
  const result = condition.test(SAMPLE_FACTS);
  return result instanceof Error ? result.message : null;
}

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import {
  buildSchema as buildSdl,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  printSchema,
  type GraphQLSchema,
} from 'graphql';
import { buildSchema } from './server';

/**
 * The schema partners rely on, printed to schema.graphql at the repository root and committed. Any
 * change to the code's schema must regenerate it (`npm run schema:print`), and a change to it must
 * not break clients: a field, input field or enum value may go only after a release in which it was
 * @deprecated. `npm run schema:check` (part of `npm test`) enforces both.
 */
export const CONTRACT_FILE = path.resolve(__dirname, '..', 'schema.graphql');

export const printContract = (): string => `${printSchema(buildSchema().schema)}\n`;

/** Whether the element at `coordinate` (`Type.field` or `Enum.VALUE`) was deprecated in `schema`. */
function deprecatedIn(schema: GraphQLSchema, coordinate: string): boolean {
  const [typeName, member] = coordinate.split('.');
  const type = typeName ? schema.getType(typeName) : undefined;
  if (!type || !member) return false;
  if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) return Boolean(type.getFields()[member]?.deprecationReason);
  if (isEnumType(type)) return Boolean(type.getValue(member)?.deprecationReason);
  return false;
}

const REMOVALS = new Set(['FIELD_REMOVED', 'INPUT_FIELD_REMOVED', 'ENUM_VALUE_REMOVED']);

/** The changes from `before` to `after` that break clients, but the removal of what `before` deprecated. */
export async function breakingChanges(before: GraphQLSchema, after: GraphQLSchema): Promise<string[]> {
  const changes = await diff(before, after);
  return changes
    .filter((c) => c.criticality.level === CriticalityLevel.Breaking)
    .filter((c) => !(REMOVALS.has(c.type) && c.path && deprecatedIn(before, c.path)))
    .map((c) => c.message);
}

/** schema.graphql as of the commit before the last one that changed it; null without git history. */
function previousContract(): string | null {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: path.dirname(CONTRACT_FILE), stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    const [last] = git('log', '-n', '1', '--format=%H', '--', 'schema.graphql').split('\n').filter(Boolean);
    if (!last) return null;
    return git('show', `${last}~1:schema.graphql`);
  } catch {
    return null;
  }
}

/** Problems with the contract: drift from the code, and breaking changes in its last revision (and since). */
export async function checkContract(): Promise<string[]> {
  const code = printContract();
  if (!existsSync(CONTRACT_FILE)) return ['schema.graphql is missing: run `npm run schema:print` and commit it'];
  const committed = readFileSync(CONTRACT_FILE, 'utf8');
  const problems = committed === code ? [] : ["the code's schema differs from schema.graphql: run `npm run schema:print` and commit it"];
  const previous = previousContract();
  if (previous !== null) {
    for (const message of await breakingChanges(buildSdl(previous), buildSdl(code)))
      problems.push(`breaking change without a deprecation first: ${message}`);
  }
  return problems;
}

export const writeContract = () => writeFileSync(CONTRACT_FILE, printContract());

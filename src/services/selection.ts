import { collectSubFields } from '@graphql-tools/utils';
import { getArgumentValues, getNamedType, GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';

export interface SelectedField {
  name: string;
  args: Record<string, unknown>;
}

/**
 * The fields selected under the current field (through fragments whose type condition applies,
 * honouring @skip/@include: graphql-tools' collectSubFields, the executor's own rules), with their
 * arguments coerced and defaulted as the executor will see them. Lets a resolver load in one batch
 * what its children will need.
 */
export function selectedFields(info: GraphQLResolveInfo): SelectedField[] {
  const type = getNamedType(info.returnType);
  if (!(type instanceof GraphQLObjectType)) return [];
  const defs = type.getFields();
  const { fields } = collectSubFields(info.schema, info.fragments, info.variableValues, type, [...info.fieldNodes]);
  return [...fields.values()].flatMap((nodes) =>
    nodes.flatMap((node) => {
      const def = defs[node.name.value];
      return def ? [{ name: def.name, args: getArgumentValues(def, node, info.variableValues) }] : [];
    }),
  );
}

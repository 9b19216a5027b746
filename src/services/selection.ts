import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLObjectType,
  GraphQLSkipDirective,
  Kind,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';

export interface SelectedField {
  name: string;
  args: Record<string, unknown>;
}

/**
 * The fields selected under the current field (through fragments, honouring @skip/@include), with
 * their arguments coerced and defaulted as the executor will see them. Lets a resolver load in one
 * batch what its children will need.
 */
export function selectedFields(info: GraphQLResolveInfo): SelectedField[] {
  const type = getNamedType(info.returnType);
  if (!(type instanceof GraphQLObjectType)) return [];
  const fields = type.getFields();
  const out: SelectedField[] = [];
  const included = (node: Parameters<typeof getDirectiveValues>[1]) =>
    getDirectiveValues(GraphQLSkipDirective, node, info.variableValues)?.if !== true &&
    getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues)?.if !== false;
  const walk = (set: SelectionSetNode | undefined) => {
    for (const sel of set?.selections ?? []) {
      if (!included(sel)) continue;
      if (sel.kind === Kind.FIELD) {
        const def = fields[sel.name.value];
        if (def) out.push({ name: def.name, args: getArgumentValues(def, sel, info.variableValues) });
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet);
      } else {
        walk(info.fragments[sel.name.value]?.selectionSet);
      }
    }
  };
  for (const node of info.fieldNodes) walk(node.selectionSet);
  return out;
}

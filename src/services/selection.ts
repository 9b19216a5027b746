import { collectSubFields } from '@graphql-tools/utils';
import {
  getArgumentValues,
  getNamedType,
  GraphQLObjectType,
  isAbstractType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';

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

/** The fields a document selects, by the name of the object type they are selected on. */
export type DocumentFields = ReadonlyMap<string, ReadonlySet<string>>;

const fieldsByDocument = new WeakMap<DocumentNode, DocumentFields>();

/**
 * Every field `document` selects anywhere (each operation, each fragment), by object type: a field
 * selected on an interface or union counts for each of its object types, and @skip/@include are not
 * evaluated. A superset of what any execution of the document reads; computed once per parsed
 * document (the server keeps parsed documents, so a repeated operation costs a lookup), for the one
 * schema a process serves: the cache is keyed by the document only.
 */
export function documentFields(schema: GraphQLSchema, document: DocumentNode): DocumentFields {
  let fields = fieldsByDocument.get(document);
  if (fields) return fields;
  const out = new Map<string, Set<string>>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!parent) return;
        for (const type of isAbstractType(parent) ? schema.getPossibleTypes(parent) : [parent]) {
          let names = out.get(type.name);
          if (!names) out.set(type.name, (names = new Set()));
          names.add(node.name.value);
        }
      },
    }),
  );
  fieldsByDocument.set(document, (fields = out));
  return fields;
}

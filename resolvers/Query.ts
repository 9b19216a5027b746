import type { QueryResolvers } from '../src/__generated__/resolvers-types';
import * as customers from '../src/services/customers';
import { nodeById, nodesByIds } from '../src/services/nodes';
import { previewTag } from '../src/services/tags';

export const Query: QueryResolvers = {
  customer: (_, { id }, ctx) => customers.customerById(ctx, id),
  customerBy: (_, { identifier }, ctx) => customers.customerByIdentifier(ctx, identifier),
  customersBy: (_, { identifier }, ctx) => customers.customersByIdentifier(ctx, identifier),
  // An item may be its Error: graphql-js and graphql-jit report it at that index (the codegen type has no place for it).
  lookupCustomers: (_, { identifiers }, ctx) => customers.lookupCustomers(ctx, identifiers) as Promise<never[]>,
  customers: (_, args, ctx) => customers.listCustomers(ctx, args),
  searchCustomers: (_, { query, first }, ctx) => customers.searchCustomers(ctx, query, first),
  customerSearch: (_, args, ctx) => customers.customerSearch(ctx, args),
  node: (_, { id }, ctx) => nodeById(ctx, id),
  nodes: (_, { ids }, ctx) => nodesByIds(ctx, ids),
  tagDefinitions: (_, { includeDisabled }, ctx) => ctx.tags.definitions(includeDisabled ?? false),
  previewTagDefinition: (_, args, ctx) => previewTag(ctx, args),
};

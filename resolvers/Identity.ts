import type {
  DuplicateCandidateResolvers,
  IdentityChangeResolvers,
  MergeResolvers,
  MutationResolvers,
  QueryResolvers,
} from '../src/__generated__/resolvers-types';
import { duplicateCandidates } from '../src/services/duplicates';
import * as identity from '../src/services/identity';

export const IdentityQuery: QueryResolvers = {
  duplicateCandidates: (_, args, ctx) => duplicateCandidates(ctx, args),
  identityHistory: (_, { customerId, ...args }, ctx, info) => identity.identityHistory(ctx, customerId, args, info),
};

export const IdentityMutation: MutationResolvers = {
  linkIdentity: async (_, a, ctx) => ({ id: await identity.linkIdentity(ctx, a.customerId, a.identifier, a.evidence, a.confidence ?? 1) }),
  unlinkIdentity: async (_, a, ctx) => ({ id: await identity.unlinkIdentity(ctx, a.customerId, a.identifier, a.reason) }),
  mergeCustomers: (_, a, ctx) => identity.mergeCustomers(ctx, a.survivorId, a.mergedIds, a.reason),
  unmergeCustomers: (_, a, ctx) => identity.unmergeCustomers(ctx, a.mergeId, a.reason, a.cascade ?? false),
};

export const Merge: MergeResolvers = {
  survivor: (m) => ({ id: m.survivor_id }),
  merged: (m) => m.merged_ids.map((id) => ({ id })),
  createdBy: (m) => m.created_by,
  createdAt: (m) => m.created_at,
  undoneAt: (m) => m.undone_at,
  undoneBy: (m) => m.undone_by,
  undoReason: (m) => m.undo_reason,
};

export const IdentityChange: IdentityChangeResolvers = {
  customerIds: (h) => h.customer_ids,
  mergeId: (h) => h.merge_id,
};

export const DuplicateCandidate: DuplicateCandidateResolvers = {
  a: (d) => ({ id: d.a }),
  b: (d) => ({ id: d.b }),
};

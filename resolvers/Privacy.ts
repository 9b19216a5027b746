import type { ErasureResolvers, MutationResolvers, QueryResolvers } from '../src/__generated__/resolvers-types';
import { eraseCustomer, erasuresOfCustomer } from '../src/services/privacy/erasure';
import { exportCustomerData } from '../src/services/privacy/export';

export const PrivacyQuery: QueryResolvers = {
  exportCustomerData: (_, { id }, ctx, info) => exportCustomerData(ctx, id, info),
  erasures: (_, { customerId }, ctx) => erasuresOfCustomer(ctx, customerId),
};

export const PrivacyMutation: MutationResolvers = {
  eraseCustomer: (_, { id, reason }, ctx, info) => eraseCustomer(ctx, id, reason, info),
};

export const Erasure: ErasureResolvers = {
  customerId: (e) => e.customer_id,
  lastError: (e) => e.last_error,
  requestedAt: (e) => e.requested_at,
  completedAt: (e) => e.completed_at,
  requestedBy: (e) => e.requested_by,
  possibleDuplicates: (e) => e.possible_duplicates,
  keptSharedEvents: (e) => e.kept_shared_events,
};

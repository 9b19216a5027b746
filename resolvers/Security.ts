import type { ApiKeyResolvers, AuditEntryResolvers, MutationResolvers, QueryResolvers } from '../src/__generated__/resolvers-types';
import * as security from '../src/services/security';

export const SecurityQuery: QueryResolvers = {
  auditLog: (_, args, ctx) => security.auditLog(ctx, args),
  apiKeys: (_, { includeRevoked }, ctx) => security.listApiKeys(ctx, includeRevoked ?? false),
};

export const SecurityMutation: MutationResolvers = {
  createApiKey: (_, { input }, ctx) => security.createApiKey(ctx, input),
  revokeApiKey: (_, { id }, ctx) => security.revokeApiKey(ctx, id),
};

export const AuditEntry: AuditEntryResolvers = {
  requestId: (r) => r.request_id,
  customerId: (r) => r.customer_id,
};

export const ApiKey: ApiKeyResolvers = {
  ratePerMinute: (k) => k.rate_per_minute,
  createdAt: (k) => k.created_at,
  createdBy: (k) => k.created_by,
  revokedAt: (k) => k.revoked_at,
  revokedBy: (k) => k.revoked_by,
};

import type {
  ChurnRiskResolvers,
  LifecycleResolvers,
  MutationResolvers,
  SourceMetaResolvers,
  TagDefinitionResolvers,
} from '../src/__generated__/resolvers-types';
import { saveTagDefinition, disableTag } from '../src/services/tagDefinitions';

const partial = (p: { missingSources: unknown[] }) => p.missingSources.length > 0;

export const Lifecycle: LifecycleResolvers = { partial };
export const ChurnRisk: ChurnRiskResolvers = { partial };

export const TagDefinition: TagDefinitionResolvers = {
  createdAt: (d) => d.created_at,
  createdBy: (d) => d.created_by,
};

export const Mutation: MutationResolvers = {
  upsertTagDefinition: (_, { input }, ctx) => saveTagDefinition(ctx, input),
  disableTagDefinition: (_, { key }, ctx) => disableTag(ctx, key),
};

export const SourceMeta: SourceMetaResolvers = {
  ageSeconds: (p) => Math.max(0, Math.floor((p.now.getTime() - p.fetchedAt.getTime()) / 1000)),
};

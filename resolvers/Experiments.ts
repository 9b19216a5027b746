import type { ExperimentResolvers, MutationResolvers, QueryResolvers } from '../src/__generated__/resolvers-types';
import * as x from '../src/services/experiments';

export const ExperimentsQuery: QueryResolvers = {
  experiments: (_, __, ctx) => x.experiments(ctx),
  experimentResults: (_, { id }, ctx) => x.experimentResults(ctx, id),
};

export const ExperimentsMutation: MutationResolvers = {
  createExperiment: (_, { input }, ctx) => x.createExperiment(ctx, input),
  stopExperiment: (_, { id }, ctx) => x.stopExperiment(ctx, id),
};

export const Experiment: ExperimentResolvers = {
  conversionWindowDays: (e) => e.window_days,
  createdBy: (e) => e.created_by,
  createdAt: (e) => e.created_at,
  stoppedBy: (e) => e.stopped_by,
  stoppedAt: (e) => e.stopped_at,
};

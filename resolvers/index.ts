import type { Resolvers } from '../src/__generated__/resolvers-types';
import { Behaviour, Event } from './Behaviour';
import * as commerce from './Commerce';
import { Contact, Customer, CustomerProfile } from './Customer';
import { enums } from '../src/enums';
import { Query } from './Query';
import { scalars } from './scalars';
import { Social } from './Social';
import { ChurnRisk, Lifecycle, Mutation, SourceMeta, TagDefinition } from './Insights';
import { ApiKey, AuditEntry, SecurityMutation, SecurityQuery } from './Security';
import { Erasure, PrivacyMutation, PrivacyQuery } from './Privacy';
import { DuplicateCandidate, IdentityChange, IdentityMutation, IdentityQuery, Merge } from './Identity';
import { Experiment, ExperimentsMutation, ExperimentsQuery } from './Experiments';
import { CustomerStats, DashboardsMutation, DashboardsQuery, Segment, SnapshotInfo } from './Dashboards';

export const resolvers: Resolvers = {
  ...scalars,
  ...enums,
  Query: { ...Query, ...SecurityQuery, ...PrivacyQuery, ...IdentityQuery, ...DashboardsQuery, ...ExperimentsQuery },
  Node: { __resolveType: (n) => n.__typename },
  Customer,
  CustomerProfile,
  Contact,
  ...commerce,
  Behaviour,
  Event,
  Social,
  Lifecycle,
  ChurnRisk,
  TagDefinition,
  SourceMeta,
  Mutation: { ...Mutation, ...SecurityMutation, ...PrivacyMutation, ...IdentityMutation, ...DashboardsMutation, ...ExperimentsMutation },
  AuditEntry,
  ApiKey,
  Erasure,
  Merge,
  IdentityChange,
  DuplicateCandidate,
  SnapshotInfo,
  CustomerStats,
  Segment,
  Experiment,
};

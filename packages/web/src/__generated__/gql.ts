/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment CustomerScreen on Customer {\n    id\n    status\n    profile {\n      fullName\n      gender\n      birthDate\n      age\n      city\n      country\n      occupation\n    }\n    contact {\n      email\n      phone\n    }\n    consents {\n      purpose\n      granted\n    }\n    serviceHints {\n      code\n      message\n      reason\n    }\n    valueTier\n    lifecycle {\n      stage\n      since\n      daysSinceLastActivity\n      partial\n      missingSources\n    }\n    rfm {\n      score\n      segment\n      daysSinceLastOrder\n      orders365d\n      spend365d\n    }\n    churnRisk {\n      score\n      level\n      partial\n      factors {\n        name\n        contribution\n        detail\n      }\n    }\n    tags {\n      key\n      label\n      family\n      evidence {\n        fact\n        value\n      }\n    }\n    purchaseSummary {\n      completedOrders\n      totalSpent\n      lastOrderAt\n      currency\n    }\n    orders(first: 5) {\n      totalCount\n      edges {\n        node {\n          id\n          orderNumber\n          status\n          channel\n          placedAt\n          total\n        }\n      }\n    }\n    tickets(status: [OPEN, PENDING], first: 5) {\n      edges {\n        node {\n          id\n          subject\n          status\n          priority\n          channel\n          openedAt\n        }\n      }\n    }\n    timeline(first: 12) {\n      edges {\n        node {\n          id\n          type\n          at\n          channel\n          category\n          query\n        }\n      }\n    }\n    social {\n      accounts {\n        platform\n        handle\n        displayName\n        followers\n        verified\n      }\n      sentiment(days: 365) {\n        score\n        label\n        mentions\n      }\n    }\n  }\n": typeof types.CustomerScreenFragmentDoc,
    "\n  query ConsoleLookup($identifier: IdentifierInput!) {\n    customerBy(identifier: $identifier) {\n      ...CustomerScreen\n    }\n  }\n": typeof types.ConsoleLookupDocument,
    "\n  query ConsoleCustomer($id: ID!) {\n    customer(id: $id) {\n      ...CustomerScreen\n    }\n  }\n": typeof types.ConsoleCustomerDocument,
    "\n  query ConsoleSearch($query: String!) {\n    customerSearch(query: $query, first: 10) {\n      totalCount\n      edges {\n        node {\n          id\n          profile {\n            fullName\n            city\n          }\n          contact {\n            email\n          }\n        }\n      }\n    }\n  }\n": typeof types.ConsoleSearchDocument,
    "\n  query DashboardStats($filter: SegmentFilter) {\n    customerStats(filter: $filter) {\n      snapshot {\n        version\n        asOf\n        ageSeconds\n        kind\n        customers\n      }\n      previousSnapshot {\n        version\n        asOf\n      }\n      total\n      byStage {\n        stage\n        count\n      }\n      byTier {\n        tier\n        count\n      }\n      byTag(first: 10) {\n        key\n        count\n      }\n      byCity(first: 10) {\n        key\n        count\n      }\n      rfmGrid {\n        recency\n        frequency\n        count\n        monetary\n      }\n      transitions {\n        from\n        to\n        count\n      }\n    }\n  }\n": typeof types.DashboardStatsDocument,
    "\n  query DashboardSegments {\n    segments(first: 50) {\n      id\n      name\n      description\n      count\n      exportPath\n    }\n  }\n": typeof types.DashboardSegmentsDocument,
    "\n  query SegmentMembers($id: ID!) {\n    segment(id: $id) {\n      id\n      members(first: 20) {\n        totalCount\n        edges {\n          node {\n            id\n            profile {\n              fullName\n              city\n            }\n            valueTier\n          }\n        }\n      }\n    }\n  }\n": typeof types.SegmentMembersDocument,
};
const documents: Documents = {
    "\n  fragment CustomerScreen on Customer {\n    id\n    status\n    profile {\n      fullName\n      gender\n      birthDate\n      age\n      city\n      country\n      occupation\n    }\n    contact {\n      email\n      phone\n    }\n    consents {\n      purpose\n      granted\n    }\n    serviceHints {\n      code\n      message\n      reason\n    }\n    valueTier\n    lifecycle {\n      stage\n      since\n      daysSinceLastActivity\n      partial\n      missingSources\n    }\n    rfm {\n      score\n      segment\n      daysSinceLastOrder\n      orders365d\n      spend365d\n    }\n    churnRisk {\n      score\n      level\n      partial\n      factors {\n        name\n        contribution\n        detail\n      }\n    }\n    tags {\n      key\n      label\n      family\n      evidence {\n        fact\n        value\n      }\n    }\n    purchaseSummary {\n      completedOrders\n      totalSpent\n      lastOrderAt\n      currency\n    }\n    orders(first: 5) {\n      totalCount\n      edges {\n        node {\n          id\n          orderNumber\n          status\n          channel\n          placedAt\n          total\n        }\n      }\n    }\n    tickets(status: [OPEN, PENDING], first: 5) {\n      edges {\n        node {\n          id\n          subject\n          status\n          priority\n          channel\n          openedAt\n        }\n      }\n    }\n    timeline(first: 12) {\n      edges {\n        node {\n          id\n          type\n          at\n          channel\n          category\n          query\n        }\n      }\n    }\n    social {\n      accounts {\n        platform\n        handle\n        displayName\n        followers\n        verified\n      }\n      sentiment(days: 365) {\n        score\n        label\n        mentions\n      }\n    }\n  }\n": types.CustomerScreenFragmentDoc,
    "\n  query ConsoleLookup($identifier: IdentifierInput!) {\n    customerBy(identifier: $identifier) {\n      ...CustomerScreen\n    }\n  }\n": types.ConsoleLookupDocument,
    "\n  query ConsoleCustomer($id: ID!) {\n    customer(id: $id) {\n      ...CustomerScreen\n    }\n  }\n": types.ConsoleCustomerDocument,
    "\n  query ConsoleSearch($query: String!) {\n    customerSearch(query: $query, first: 10) {\n      totalCount\n      edges {\n        node {\n          id\n          profile {\n            fullName\n            city\n          }\n          contact {\n            email\n          }\n        }\n      }\n    }\n  }\n": types.ConsoleSearchDocument,
    "\n  query DashboardStats($filter: SegmentFilter) {\n    customerStats(filter: $filter) {\n      snapshot {\n        version\n        asOf\n        ageSeconds\n        kind\n        customers\n      }\n      previousSnapshot {\n        version\n        asOf\n      }\n      total\n      byStage {\n        stage\n        count\n      }\n      byTier {\n        tier\n        count\n      }\n      byTag(first: 10) {\n        key\n        count\n      }\n      byCity(first: 10) {\n        key\n        count\n      }\n      rfmGrid {\n        recency\n        frequency\n        count\n        monetary\n      }\n      transitions {\n        from\n        to\n        count\n      }\n    }\n  }\n": types.DashboardStatsDocument,
    "\n  query DashboardSegments {\n    segments(first: 50) {\n      id\n      name\n      description\n      count\n      exportPath\n    }\n  }\n": types.DashboardSegmentsDocument,
    "\n  query SegmentMembers($id: ID!) {\n    segment(id: $id) {\n      id\n      members(first: 20) {\n        totalCount\n        edges {\n          node {\n            id\n            profile {\n              fullName\n              city\n            }\n            valueTier\n          }\n        }\n      }\n    }\n  }\n": types.SegmentMembersDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CustomerScreen on Customer {\n    id\n    status\n    profile {\n      fullName\n      gender\n      birthDate\n      age\n      city\n      country\n      occupation\n    }\n    contact {\n      email\n      phone\n    }\n    consents {\n      purpose\n      granted\n    }\n    serviceHints {\n      code\n      message\n      reason\n    }\n    valueTier\n    lifecycle {\n      stage\n      since\n      daysSinceLastActivity\n      partial\n      missingSources\n    }\n    rfm {\n      score\n      segment\n      daysSinceLastOrder\n      orders365d\n      spend365d\n    }\n    churnRisk {\n      score\n      level\n      partial\n      factors {\n        name\n        contribution\n        detail\n      }\n    }\n    tags {\n      key\n      label\n      family\n      evidence {\n        fact\n        value\n      }\n    }\n    purchaseSummary {\n      completedOrders\n      totalSpent\n      lastOrderAt\n      currency\n    }\n    orders(first: 5) {\n      totalCount\n      edges {\n        node {\n          id\n          orderNumber\n          status\n          channel\n          placedAt\n          total\n        }\n      }\n    }\n    tickets(status: [OPEN, PENDING], first: 5) {\n      edges {\n        node {\n          id\n          subject\n          status\n          priority\n          channel\n          openedAt\n        }\n      }\n    }\n    timeline(first: 12) {\n      edges {\n        node {\n          id\n          type\n          at\n          channel\n          category\n          query\n        }\n      }\n    }\n    social {\n      accounts {\n        platform\n        handle\n        displayName\n        followers\n        verified\n      }\n      sentiment(days: 365) {\n        score\n        label\n        mentions\n      }\n    }\n  }\n"): typeof import('./graphql').CustomerScreenFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleLookup($identifier: IdentifierInput!) {\n    customerBy(identifier: $identifier) {\n      ...CustomerScreen\n    }\n  }\n"): typeof import('./graphql').ConsoleLookupDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleCustomer($id: ID!) {\n    customer(id: $id) {\n      ...CustomerScreen\n    }\n  }\n"): typeof import('./graphql').ConsoleCustomerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleSearch($query: String!) {\n    customerSearch(query: $query, first: 10) {\n      totalCount\n      edges {\n        node {\n          id\n          profile {\n            fullName\n            city\n          }\n          contact {\n            email\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleSearchDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardStats($filter: SegmentFilter) {\n    customerStats(filter: $filter) {\n      snapshot {\n        version\n        asOf\n        ageSeconds\n        kind\n        customers\n      }\n      previousSnapshot {\n        version\n        asOf\n      }\n      total\n      byStage {\n        stage\n        count\n      }\n      byTier {\n        tier\n        count\n      }\n      byTag(first: 10) {\n        key\n        count\n      }\n      byCity(first: 10) {\n        key\n        count\n      }\n      rfmGrid {\n        recency\n        frequency\n        count\n        monetary\n      }\n      transitions {\n        from\n        to\n        count\n      }\n    }\n  }\n"): typeof import('./graphql').DashboardStatsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardSegments {\n    segments(first: 50) {\n      id\n      name\n      description\n      count\n      exportPath\n    }\n  }\n"): typeof import('./graphql').DashboardSegmentsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SegmentMembers($id: ID!) {\n    segment(id: $id) {\n      id\n      members(first: 20) {\n        totalCount\n        edges {\n          node {\n            id\n            profile {\n              fullName\n              city\n            }\n            valueTier\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').SegmentMembersDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

import { graphql } from './__generated__';

/**
 * The pages' operations: the API's public schema only, typed by codegen's client preset (`npm run
 * codegen` writes src/__generated__ from these). An agent may select one root field returning customers
 * per request, so each lookup is its own operation.
 */

graphql(`
  fragment CustomerScreen on Customer {
    id
    status
    profile {
      fullName
      gender
      birthDate
      age
      city
      country
      occupation
    }
    contact {
      email
      phone
    }
    consents {
      purpose
      granted
    }
    serviceHints {
      code
      message
      reason
    }
    valueTier
    lifecycle {
      stage
      since
      daysSinceLastActivity
      partial
      missingSources
    }
    rfm {
      score
      segment
      daysSinceLastOrder
      orders365d
      spend365d
    }
    churnRisk {
      score
      level
      partial
      factors {
        name
        contribution
        detail
      }
    }
    tags {
      key
      label
      family
      evidence {
        fact
        value
      }
    }
    purchaseSummary {
      completedOrders
      totalSpent
      lastOrderAt
      currency
    }
    orders(first: 5) {
      totalCount
      edges {
        node {
          id
          orderNumber
          status
          channel
          placedAt
          total
        }
      }
    }
    recommendations(first: 5, placement: AGENT) {
      product {
        id
        name
        category
      }
      strategy
      reasons {
        kind
        evidence
      }
    }
    tickets(status: [OPEN, PENDING], first: 5) {
      edges {
        node {
          id
          subject
          status
          priority
          channel
          openedAt
        }
      }
    }
    timeline(first: 12) {
      edges {
        node {
          id
          type
          at
          channel
          category
          query
        }
      }
    }
    social {
      accounts {
        platform
        handle
        displayName
        followers
        verified
      }
      sentiment(days: 365) {
        score
        label
        mentions
      }
    }
  }
`);

export const CustomerByIdentifier = graphql(`
  query ConsoleLookup($identifier: IdentifierInput!) {
    customerBy(identifier: $identifier) {
      ...CustomerScreen
    }
  }
`);

export const CustomerById = graphql(`
  query ConsoleCustomer($id: ID!) {
    customer(id: $id) {
      ...CustomerScreen
    }
  }
`);

export const CustomerNameSearch = graphql(`
  query ConsoleSearch($query: String!) {
    customerSearch(query: $query, first: 10) {
      totalCount
      edges {
        node {
          id
          profile {
            fullName
            city
          }
          contact {
            email
          }
        }
      }
    }
  }
`);

export const DashboardStats = graphql(`
  query DashboardStats($filter: SegmentFilter) {
    customerStats(filter: $filter) {
      snapshot {
        version
        asOf
        ageSeconds
        kind
        customers
      }
      previousSnapshot {
        version
        asOf
      }
      total
      byStage {
        stage
        count
      }
      byTier {
        tier
        count
      }
      byTag(first: 10) {
        key
        count
      }
      byCity(first: 10) {
        key
        count
      }
      rfmGrid {
        recency
        frequency
        count
        monetary
      }
      transitions {
        from
        to
        count
      }
    }
  }
`);

export const DashboardSegments = graphql(`
  query DashboardSegments {
    segments(first: 50) {
      id
      name
      description
      count
      exportPath
    }
  }
`);

export const SegmentMembers = graphql(`
  query SegmentMembers($id: ID!) {
    segment(id: $id) {
      id
      members(first: 20) {
        totalCount
        edges {
          node {
            id
            profile {
              fullName
              city
            }
            valueTier
          }
        }
      }
    }
  }
`);

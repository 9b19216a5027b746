/* eslint-disable */
import * as types from './graphql';
import { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

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
    "\n  query O($id: ID!, $first: Int, $after: String, $status: OrderStatus) {\n    customer(id: $id) {\n      orders(first: $first, after: $after, status: $status) {\n        totalCount\n        edges {\n          node {\n            orderNumber\n            status\n            channel\n            placedAt\n            total\n            items {\n              lineNo\n              quantity\n              unitPrice\n              lineTotal\n              product {\n                id\n                name\n                category\n                brand\n                price\n              }\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.ODocument,
    "\n        query FirstCursor {\n          customers(first: 1) {\n            pageInfo {\n              endCursor\n            }\n          }\n        }\n      ": typeof types.FirstCursorDocument,
    "\n    query Summary($id: ID!) {\n      customer(id: $id) {\n        purchaseSummary {\n          completedOrders\n          totalSpent\n          averageOrderValue\n          firstOrderAt\n          lastOrderAt\n          currency\n        }\n      }\n    }\n  ": typeof types.SummaryDocument,
    "\n        query Tickets($id: ID!) {\n          customer(id: $id) {\n            all: supportTickets {\n              id\n              status\n              priority\n              channel\n              openedAt\n              resolvedAt\n              satisfaction\n              subject\n            }\n            open: supportTickets(status: [OPEN, PENDING]) {\n              id\n            }\n            one: supportTickets(first: 1) {\n              id\n            }\n          }\n        }\n      ": typeof types.TicketsDocument,
    "\n  query Profile($id: ID!) {\n    customer(id: $id) {\n      id\n      createdAt\n      status\n      profile {\n        fullName\n        gender\n        birthDate\n        age\n        city\n        country\n        occupation\n      }\n      contact {\n        email\n        phone\n      }\n      identities {\n        kind\n        value\n        verified\n        firstSeenAt\n      }\n      consents {\n        purpose\n        granted\n        updatedAt\n        source\n      }\n    }\n  }\n": typeof types.ProfileDocument,
    "\n        query Contact($id: ID!) {\n          customer(id: $id) {\n            profile {\n              age\n            }\n            contact {\n              email\n              phone\n            }\n          }\n        }\n      ": typeof types.ContactDocument,
    "\n  query Page($filter: CustomerFilter, $orderBy: CustomerOrderBy, $first: Int, $after: String) {\n    customers(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.PageDocument,
    "\n    query Search($q: String!, $first: Int) {\n      searchCustomers(query: $q, first: $first) {\n        id\n      }\n    }\n  ": typeof types.SearchDocument,
    "\n        query BulkSearch {\n          searchCustomers(query: \"bulk customer\", first: 5) {\n            id\n            profile {\n              city\n            }\n          }\n        }\n      ": typeof types.BulkSearchDocument,
    "\n  query By($kind: IdentifierKind!, $value: String!) {\n    customerBy(identifier: { kind: $kind, value: $value }) {\n      id\n    }\n  }\n": typeof types.ByDocument,
    "\n  query All($kind: IdentifierKind!, $value: String!) {\n    customersBy(identifier: { kind: $kind, value: $value }) {\n      id\n    }\n  }\n": typeof types.AllDocument,
    "\n        query Identifiers {\n          a: customerBy(identifier: { kind: EMAIL, value: \"lina@example.com\" }) {\n            id\n          }\n          b: customerBy(identifier: { kind: PHONE, value: \"+14155550132\" }) {\n            id\n          }\n          c: customerBy(identifier: { kind: ORDER_NUMBER, value: \"SO2026000001\" }) {\n            id\n          }\n          d: customerBy(identifier: { kind: SOCIAL, value: \"weibo:lina_88\" }) {\n            id\n          }\n        }\n      ": typeof types.IdentifiersDocument,
};
const documents: Documents = {
    "\n  query O($id: ID!, $first: Int, $after: String, $status: OrderStatus) {\n    customer(id: $id) {\n      orders(first: $first, after: $after, status: $status) {\n        totalCount\n        edges {\n          node {\n            orderNumber\n            status\n            channel\n            placedAt\n            total\n            items {\n              lineNo\n              quantity\n              unitPrice\n              lineTotal\n              product {\n                id\n                name\n                category\n                brand\n                price\n              }\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.ODocument,
    "\n        query FirstCursor {\n          customers(first: 1) {\n            pageInfo {\n              endCursor\n            }\n          }\n        }\n      ": types.FirstCursorDocument,
    "\n    query Summary($id: ID!) {\n      customer(id: $id) {\n        purchaseSummary {\n          completedOrders\n          totalSpent\n          averageOrderValue\n          firstOrderAt\n          lastOrderAt\n          currency\n        }\n      }\n    }\n  ": types.SummaryDocument,
    "\n        query Tickets($id: ID!) {\n          customer(id: $id) {\n            all: supportTickets {\n              id\n              status\n              priority\n              channel\n              openedAt\n              resolvedAt\n              satisfaction\n              subject\n            }\n            open: supportTickets(status: [OPEN, PENDING]) {\n              id\n            }\n            one: supportTickets(first: 1) {\n              id\n            }\n          }\n        }\n      ": types.TicketsDocument,
    "\n  query Profile($id: ID!) {\n    customer(id: $id) {\n      id\n      createdAt\n      status\n      profile {\n        fullName\n        gender\n        birthDate\n        age\n        city\n        country\n        occupation\n      }\n      contact {\n        email\n        phone\n      }\n      identities {\n        kind\n        value\n        verified\n        firstSeenAt\n      }\n      consents {\n        purpose\n        granted\n        updatedAt\n        source\n      }\n    }\n  }\n": types.ProfileDocument,
    "\n        query Contact($id: ID!) {\n          customer(id: $id) {\n            profile {\n              age\n            }\n            contact {\n              email\n              phone\n            }\n          }\n        }\n      ": types.ContactDocument,
    "\n  query Page($filter: CustomerFilter, $orderBy: CustomerOrderBy, $first: Int, $after: String) {\n    customers(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.PageDocument,
    "\n    query Search($q: String!, $first: Int) {\n      searchCustomers(query: $q, first: $first) {\n        id\n      }\n    }\n  ": types.SearchDocument,
    "\n        query BulkSearch {\n          searchCustomers(query: \"bulk customer\", first: 5) {\n            id\n            profile {\n              city\n            }\n          }\n        }\n      ": types.BulkSearchDocument,
    "\n  query By($kind: IdentifierKind!, $value: String!) {\n    customerBy(identifier: { kind: $kind, value: $value }) {\n      id\n    }\n  }\n": types.ByDocument,
    "\n  query All($kind: IdentifierKind!, $value: String!) {\n    customersBy(identifier: { kind: $kind, value: $value }) {\n      id\n    }\n  }\n": types.AllDocument,
    "\n        query Identifiers {\n          a: customerBy(identifier: { kind: EMAIL, value: \"lina@example.com\" }) {\n            id\n          }\n          b: customerBy(identifier: { kind: PHONE, value: \"+14155550132\" }) {\n            id\n          }\n          c: customerBy(identifier: { kind: ORDER_NUMBER, value: \"SO2026000001\" }) {\n            id\n          }\n          d: customerBy(identifier: { kind: SOCIAL, value: \"weibo:lina_88\" }) {\n            id\n          }\n        }\n      ": types.IdentifiersDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query O($id: ID!, $first: Int, $after: String, $status: OrderStatus) {\n    customer(id: $id) {\n      orders(first: $first, after: $after, status: $status) {\n        totalCount\n        edges {\n          node {\n            orderNumber\n            status\n            channel\n            placedAt\n            total\n            items {\n              lineNo\n              quantity\n              unitPrice\n              lineTotal\n              product {\n                id\n                name\n                category\n                brand\n                price\n              }\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query O($id: ID!, $first: Int, $after: String, $status: OrderStatus) {\n    customer(id: $id) {\n      orders(first: $first, after: $after, status: $status) {\n        totalCount\n        edges {\n          node {\n            orderNumber\n            status\n            channel\n            placedAt\n            total\n            items {\n              lineNo\n              quantity\n              unitPrice\n              lineTotal\n              product {\n                id\n                name\n                category\n                brand\n                price\n              }\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n        query FirstCursor {\n          customers(first: 1) {\n            pageInfo {\n              endCursor\n            }\n          }\n        }\n      "): (typeof documents)["\n        query FirstCursor {\n          customers(first: 1) {\n            pageInfo {\n              endCursor\n            }\n          }\n        }\n      "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    query Summary($id: ID!) {\n      customer(id: $id) {\n        purchaseSummary {\n          completedOrders\n          totalSpent\n          averageOrderValue\n          firstOrderAt\n          lastOrderAt\n          currency\n        }\n      }\n    }\n  "): (typeof documents)["\n    query Summary($id: ID!) {\n      customer(id: $id) {\n        purchaseSummary {\n          completedOrders\n          totalSpent\n          averageOrderValue\n          firstOrderAt\n          lastOrderAt\n          currency\n        }\n      }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n        query Tickets($id: ID!) {\n          customer(id: $id) {\n            all: supportTickets {\n              id\n              status\n              priority\n              channel\n              openedAt\n              resolvedAt\n              satisfaction\n              subject\n            }\n            open: supportTickets(status: [OPEN, PENDING]) {\n              id\n            }\n            one: supportTickets(first: 1) {\n              id\n            }\n          }\n        }\n      "): (typeof documents)["\n        query Tickets($id: ID!) {\n          customer(id: $id) {\n            all: supportTickets {\n              id\n              status\n              priority\n              channel\n              openedAt\n              resolvedAt\n              satisfaction\n              subject\n            }\n            open: supportTickets(status: [OPEN, PENDING]) {\n              id\n            }\n            one: supportTickets(first: 1) {\n              id\n            }\n          }\n        }\n      "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Profile($id: ID!) {\n    customer(id: $id) {\n      id\n      createdAt\n      status\n      profile {\n        fullName\n        gender\n        birthDate\n        age\n        city\n        country\n        occupation\n      }\n      contact {\n        email\n        phone\n      }\n      identities {\n        kind\n        value\n        verified\n        firstSeenAt\n      }\n      consents {\n        purpose\n        granted\n        updatedAt\n        source\n      }\n    }\n  }\n"): (typeof documents)["\n  query Profile($id: ID!) {\n    customer(id: $id) {\n      id\n      createdAt\n      status\n      profile {\n        fullName\n        gender\n        birthDate\n        age\n        city\n        country\n        occupation\n      }\n      contact {\n        email\n        phone\n      }\n      identities {\n        kind\n        value\n        verified\n        firstSeenAt\n      }\n      consents {\n        purpose\n        granted\n        updatedAt\n        source\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n        query Contact($id: ID!) {\n          customer(id: $id) {\n            profile {\n              age\n            }\n            contact {\n              email\n              phone\n            }\n          }\n        }\n      "): (typeof documents)["\n        query Contact($id: ID!) {\n          customer(id: $id) {\n            profile {\n              age\n            }\n            contact {\n              email\n              phone\n            }\n          }\n        }\n      "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Page($filter: CustomerFilter, $orderBy: CustomerOrderBy, $first: Int, $after: String) {\n    customers(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Page($filter: CustomerFilter, $orderBy: CustomerOrderBy, $first: Int, $after: String) {\n    customers(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    query Search($q: String!, $first: Int) {\n      searchCustomers(query: $q, first: $first) {\n        id\n      }\n    }\n  "): (typeof documents)["\n    query Search($q: String!, $first: Int) {\n      searchCustomers(query: $q, first: $first) {\n        id\n      }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n        query BulkSearch {\n          searchCustomers(query: \"bulk customer\", first: 5) {\n            id\n            profile {\n              city\n            }\n          }\n        }\n      "): (typeof documents)["\n        query BulkSearch {\n          searchCustomers(query: \"bulk customer\", first: 5) {\n            id\n            profile {\n              city\n            }\n          }\n        }\n      "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query By($kind: IdentifierKind!, $value: String!) {\n    customerBy(identifier: { kind: $kind, value: $value }) {\n      id\n    }\n  }\n"): (typeof documents)["\n  query By($kind: IdentifierKind!, $value: String!) {\n    customerBy(identifier: { kind: $kind, value: $value }) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query All($kind: IdentifierKind!, $value: String!) {\n    customersBy(identifier: { kind: $kind, value: $value }) {\n      id\n    }\n  }\n"): (typeof documents)["\n  query All($kind: IdentifierKind!, $value: String!) {\n    customersBy(identifier: { kind: $kind, value: $value }) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n        query Identifiers {\n          a: customerBy(identifier: { kind: EMAIL, value: \"lina@example.com\" }) {\n            id\n          }\n          b: customerBy(identifier: { kind: PHONE, value: \"+14155550132\" }) {\n            id\n          }\n          c: customerBy(identifier: { kind: ORDER_NUMBER, value: \"SO2026000001\" }) {\n            id\n          }\n          d: customerBy(identifier: { kind: SOCIAL, value: \"weibo:lina_88\" }) {\n            id\n          }\n        }\n      "): (typeof documents)["\n        query Identifiers {\n          a: customerBy(identifier: { kind: EMAIL, value: \"lina@example.com\" }) {\n            id\n          }\n          b: customerBy(identifier: { kind: PHONE, value: \"+14155550132\" }) {\n            id\n          }\n          c: customerBy(identifier: { kind: ORDER_NUMBER, value: \"SO2026000001\" }) {\n            id\n          }\n          d: customerBy(identifier: { kind: SOCIAL, value: \"weibo:lina_88\" }) {\n            id\n          }\n        }\n      "];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
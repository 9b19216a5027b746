import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

/**
 * How a TypeScript client consumes the API: the README's operations (examples/operations/*.graphql)
 * are compiled by `npm run codegen` (client preset) into typed documents in examples/__generated__,
 * so the answer and the variables are typed by the schema:
 *
 *   const data = await runOperation(url, token, ExampleDocument);
 *   data.customers.edges[0]?.node.rfm?.segment; // RfmSegment | undefined
 */
export async function runOperation<R, V extends Record<string, unknown>>(
  url: string,
  token: string,
  document: TypedDocumentNode<R, V>,
  variables?: V,
): Promise<{ data: R | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: print(document), variables }),
  });
  return (await res.json()) as { data: R | null; errors?: { message: string }[] };
}

import path from 'node:path';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { HeaderMap } from '@apollo/server';

/**
 * Apollo Server 5 hands a gateway's executor (src/execution.ts) a request context it builds per
 * request in utils/makeGatewayGraphQLRequestContext.js, whose `response.http` is an object literal
 * with a `status` getter and setter: two fresh closures over the request. V8 cannot share one hidden
 * class among objects whose accessors are different closures, so every request leaves a new one in
 * the old generation pointing at those closures, and through them at the request's context, loaders,
 * rows and result: all of it then survives every young-generation collection (and is promoted) until
 * the next full one. Measured on crm-nested: ~0.3 MB a request survived, ~10 MB copied a scavenge
 * whatever the concurrency, and a trivial query kept 14 KB a request alive.
 *
 * `installGatewayContext` replaces that function (Apollo's module reads its export at each call) by
 * this one: the same object, built from classes whose accessors sit on their prototypes. When the
 * module is not where Apollo 5 keeps it, Apollo's own stays and `installGatewayContext` says so.
 */

/** Fetch's Headers over Apollo's HeaderMap (as Apollo's own FetcherHeadersForHeaderMap). */
class FetcherHeaders {
  constructor(private readonly map: HeaderMap) {}
  append(name: string, value: string) {
    const had = this.map.get(name);
    this.map.set(name, had === undefined ? value : `${had}, ${value}`);
  }
  delete(name: string) {
    this.map.delete(name);
  }
  get(name: string) {
    return this.map.get(name) ?? null;
  }
  has(name: string) {
    return this.map.has(name);
  }
  set(name: string, value: string) {
    this.map.set(name, value);
  }
  entries() {
    return this.map.entries();
  }
  keys() {
    return this.map.keys();
  }
  values() {
    return this.map.values();
  }
  [Symbol.iterator]() {
    return this.map.entries();
  }
}

/** `response.http` of a gateway request context: its status reads and writes the request's own. */
class GatewayResponseHttp {
  readonly headers: FetcherHeaders;
  constructor(private readonly http: { headers: HeaderMap; status?: number }) {
    this.headers = new FetcherHeaders(http.headers);
  }
  get status() {
    return this.http.status;
  }
  set status(status: number | undefined) {
    this.http.status = status;
  }
}

/** What Apollo passes (its internal GraphQLRequestContext, ApolloServer and internals): only the fields read here. */
interface RequestContext {
  request: {
    query?: string;
    operationName?: string;
    variables?: unknown;
    extensions?: unknown;
    http?: { method: string; search: string; headers: HeaderMap };
  };
  response: { http: { headers: HeaderMap; status?: number } };
  [field: string]: unknown;
}

export function makeGatewayRequestContext(
  rc: RequestContext,
  server: { logger: unknown; cache: unknown },
  internals: { includeStacktraceInErrorResponses: boolean },
): GatewayGraphQLRequestContext {
  const request: Record<string, unknown> = {};
  for (const field of ['query', 'operationName', 'variables', 'extensions'] as const)
    if (field in rc.request) request[field] = rc.request[field];
  const http = rc.request.http;
  if (http) {
    const question = http.search !== '' && !http.search.startsWith('?') ? '?' : '';
    request.http = {
      method: http.method,
      url: `https://unknown-url.invalid/${question}${http.search}`,
      headers: new FetcherHeaders(http.headers),
    };
  }
  return {
    request,
    response: { http: new GatewayResponseHttp(rc.response.http) },
    logger: server.logger,
    schema: rc.schema,
    schemaHash: 'schemaHash no longer exists since Apollo Server 4',
    context: rc.contextValue,
    cache: server.cache,
    queryHash: rc.queryHash,
    document: rc.document,
    source: rc.source,
    operationName: rc.operationName,
    operation: rc.operation,
    errors: rc.errors,
    metrics: rc.metrics,
    debug: internals.includeStacktraceInErrorResponses,
    overallCachePolicy: rc.overallCachePolicy,
    requestIsBatched: rc.requestIsBatched,
  } as unknown as GatewayGraphQLRequestContext;
}

/** Puts makeGatewayRequestContext in Apollo's place; false (Apollo's stays) when its module is not found as in Apollo 5. */
export function installGatewayContext(): boolean {
  try {
    const file = path.join(path.dirname(require.resolve('@apollo/server')), 'utils', 'makeGatewayGraphQLRequestContext.js');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- Apollo's internal module, outside its exports map
    const module = require(file) as { makeGatewayGraphQLRequestContext?: unknown };
    if (typeof module.makeGatewayGraphQLRequestContext !== 'function') return false;
    module.makeGatewayGraphQLRequestContext = makeGatewayRequestContext;
    return true;
  } catch {
    return false;
  }
}

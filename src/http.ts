import type { ApolloServer } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createContext, type Context, type Deps } from './context';
import { SourceError } from './errors';
import { createExplorer, EXPLORER_PATH } from './explorer';
import { createPages } from './pages';
import { EXPORT_PATH, exportSegment } from './exports';
import { readiness } from './observability/health';
import { requestsInFlight } from './observability/metrics';
import { createBackpressure, OVERLOAD_RETRY_AFTER_SECONDS, type Backpressure } from './overload';
import { metricsServed, serveMetrics } from './observability/scrape';
import { sendError, sendJson } from './replies';
import { AuthenticationError } from './security/authenticate';
import type { Principal } from './security/principal';
import { memoryCounters, sharedCounters } from './security/counters';
import { CustomerBudget } from './security/customerBudget';
import { RateLimits } from './security/rateLimit';
import { loadSafelist, persistedQueryManifest } from './security/safelist';
import { TokenKeysUnavailable } from './security/tokens';

class BodyTooLarge extends Error {}

/** The answer while the token keys (JWKS) or the store of API keys (the CRM) do not answer. */
const CREDENTIALS_UNCHECKED = 'Credentials cannot be checked right now; try again shortly.';
/** Retry-After of a 503 while the store of API keys (the CRM) does not answer. */
const CREDENTIALS_RETRY_SECONDS = 5;

/**
 * The request body as text. Past `limit` bytes the rest is read and dropped (so the client still
 * gets the 413 instead of a reset connection), up to 4 × limit, after which the connection is cut;
 * the promise rejects with BodyTooLarge.
 */
function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      req.resume();
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > 4 * limit) {
        reject(new BodyTooLarge());
        req.destroy();
      }
    });
    req.on('end', () => (size > limit ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

/**
 * Who calls, and whether they may call now: 401 (UNAUTHENTICATED) without valid credentials, 429
 * (RATE_LIMITED, Retry-After) past the caller's rate. Null when the response was sent.
 */
async function admit(
  deps: Deps,
  limits: RateLimits,
  headers: HeaderMap,
  res: http.ServerResponse,
  requestId: string,
): Promise<Principal | null> {
  let principal: Principal;
  try {
    // Credentials are checked against the real clock, never the request's (which tests may fix).
    principal = await deps.auth.authenticate(headers, new Date());
  } catch (e) {
    if (e instanceof AuthenticationError) {
      deps.logger.info({ requestId, reason: e.reason }, 'request refused: unauthenticated');
      sendError(res, 401, e.message, { code: 'UNAUTHENTICATED', reason: e.reason }, { 'www-authenticate': 'Bearer realm="customer-360"' });
      return null;
    }
    if (e instanceof TokenKeysUnavailable) {
      deps.logger.error({ err: e.cause }, 'token keys unavailable');
      sendError(res, 503, CREDENTIALS_UNCHECKED, { code: 'SOURCE_UNAVAILABLE', source: 'jwks' });
      return null;
    }
    // An API key is looked up in the CRM: while it is down, the key can be neither accepted nor refused.
    if (e instanceof SourceError) {
      deps.logger.warn({ requestId, source: e.sourceName, reason: e.reason }, 'request refused: credentials cannot be checked');
      sendError(
        res,
        503,
        CREDENTIALS_UNCHECKED,
        { code: 'SOURCE_UNAVAILABLE', source: e.sourceName, reason: e.reason },
        { 'retry-after': String(CREDENTIALS_RETRY_SECONDS) },
      );
      return null;
    }
    throw e;
  }
  const wait = await limits.take(principal);
  if (wait !== null) {
    sendError(
      res,
      429,
      `Too many requests; retry in ${wait} s.`,
      { code: 'RATE_LIMITED', retryAfterSeconds: wait },
      { 'retry-after': String(wait) },
    );
    return null;
  }
  return principal;
}

function headerMap(req: http.IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/**
 * A caller's correlation id, logged beside the server's: a generated one only (a UUID, or 32 hex digits
 * as nginx's $request_id and W3C trace ids), never typed text that could carry a person's e-mail or name.
 */
const REQUEST_ID = /^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** Hands one HTTP request to Apollo Server (GET and POST on /graphql), once the server has room for it (overload.ts) and the caller is admitted. */
async function graphql(
  apollo: ApolloServer<Context>,
  deps: Deps,
  limits: RateLimits,
  budgets: CustomerBudget,
  backpressure: Backpressure,
  req: http.IncomingMessage,
  res: http.ServerResponse,
) {
  const overloaded = backpressure.refusal();
  if (overloaded) {
    req.resume();
    deps.logger.warn({ reason: overloaded }, 'request refused: overloaded');
    sendError(
      res,
      503,
      `The server is overloaded (${overloaded}); retry in ${OVERLOAD_RETRY_AFTER_SECONDS} s.`,
      { code: 'OVERLOADED', reason: overloaded, retryAfterSeconds: OVERLOAD_RETRY_AFTER_SECONDS },
      { 'retry-after': String(OVERLOAD_RETRY_AFTER_SECONDS) },
    );
    return;
  }
  const headers = headerMap(req);
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  const now = deps.clock?.() ?? new Date();
  // The server's own id goes into audit rows and the response; a caller's id only into the logs, to correlate.
  const requestId = randomUUID();
  const given = headers.get('x-request-id');
  if (given && REQUEST_ID.test(given)) deps.logger.info({ requestId, callerRequestId: given }, 'request');
  const principal = await admit(deps, limits, headers, res, requestId);
  if (!principal) return;
  let body: unknown;
  if (req.method === 'POST') {
    const text = await readBody(req, deps.config.MAX_BODY_BYTES);
    const json = (headers.get('content-type') ?? '').toLowerCase().includes('json');
    if (json) {
      try {
        body = JSON.parse(text);
      } catch {
        sendJson(res, 400, { errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] });
        return;
      }
    } else {
      body = text;
    }
  }
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method, headers, search: url.search, body },
    context: async () => createContext(deps, { principal, requestId, now, budgets }),
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    // The answer's UTF-8 bytes once, outside V8's heap: res.end(string) flattens the string
    // JSON.stringify made (pieces) to count its bytes, then copies it again behind the headers
    // (~10 % of a 40 KB answer's request allocations).
    const body = Buffer.from(response.body.string);
    res.setHeader('content-length', body.length);
    res.end(body);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** GET /exports/segments/<id>.csv, once the caller is admitted like any API request (exports.ts). */
async function segmentExport(deps: Deps, limits: RateLimits, segmentId: string, req: http.IncomingMessage, res: http.ServerResponse) {
  const headers = headerMap(req);
  const requestId = randomUUID();
  const principal = await admit(deps, limits, headers, res, requestId);
  if (principal) await exportSegment(deps, principal, segmentId, requestId, res);
}

/**
 * The API's HTTP server: /graphql; /exports/segments/<id>.csv; /persisted-queries.json (the safelist as
 * Apollo's persisted query list); /explorer when EXPLORER is on; /app, the console and dashboard pages (pages.ts) once built; /healthz (the process is alive) and /readyz (each source, 503 when
 * the CRM is down), which carry no personal data and need no credentials: expose them to the platform's
 * probes, not to the internet, and are never refused for load (only /graphql is: overload.ts); /metrics (Prometheus)
 * behind METRICS_TOKEN, off in production without it (scrape.ts).
 */
export function createHttpServer(apollo: ApolloServer<Context>, deps: Deps): http.Server {
  const limits = new RateLimits(deps.config.RATE_LIMIT_PER_MINUTE, deps.redis ? sharedCounters(deps.redis, 'rate_limit') : memoryCounters);
  const budgets = new CustomerBudget(deps.config, deps.redis ? sharedCounters(deps.redis, 'customer_budget') : memoryCounters);
  const backpressure = createBackpressure(deps.config, deps.crmPool);
  const explorer = deps.config.EXPLORER ? createExplorer('/graphql') : null;
  if (deps.config.EXPLORER && !explorer)
    deps.logger.warn('EXPLORER is on but the ruru package is not installed (a dev dependency): /explorer is off');
  const pages = createPages(deps.config.WEB_DIR);
  if (!pages) deps.logger.warn({ dir: deps.config.WEB_DIR }, 'the console and dashboard pages are not built (npm run build): /app is off');
  // The safelisted operations as Apollo's persisted query list: their texts are no secret (a partner's client needs them).
  const manifest = persistedQueryManifest(loadSafelist());
  const metrics = metricsServed(deps.config);
  if (!metrics) deps.logger.warn('METRICS_TOKEN is not set: /metrics is off in production');
  const server = http.createServer((req, res) => {
    requestsInFlight.inc();
    res.once('close', () => requestsInFlight.dec());
    const path = (req.url ?? '/').split('?')[0]!;
    const handle = async () => {
      if (path === '/graphql') return graphql(apollo, deps, limits, budgets, backpressure, req, res);
      const exported = EXPORT_PATH.exec(path);
      if (exported && req.method === 'GET') return segmentExport(deps, limits, exported[1]!, req, res);
      if (explorer && req.method === 'GET' && explorer.handle(path, res)) return;
      if (pages && req.method === 'GET' && pages.handle(path, res)) return;
      if (path === '/persisted-queries.json' && req.method === 'GET') return sendJson(res, 200, manifest);
      if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (path === '/readyz') {
        const ready = await readiness(deps);
        return sendJson(res, ready.status === 'unavailable' ? 503 : 200, ready);
      }
      if (path === '/metrics' && metrics) return serveMetrics(deps, req, res);
      if (path === '/') {
        res.writeHead(302, { location: explorer ? EXPLORER_PATH : '/graphql' });
        return res.end();
      }
      sendError(res, 404, 'Not found: the API is at /graphql.', { code: 'NOT_FOUND' });
    };
    handle().catch((err: unknown) => {
      if (err instanceof BodyTooLarge) {
        sendJson(res, 413, {
          errors: [
            { message: `The request body is larger than ${deps.config.MAX_BODY_BYTES} bytes.`, extensions: { code: 'BAD_REQUEST' } },
          ],
        });
        return;
      }
      deps.logger.error({ err }, 'request failed');
      if (!res.headersSent)
        sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.end();
    });
  });
  server.on('close', () => backpressure.stop());
  return server;
}

import type { ApolloServer } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import http from 'node:http';
import { createContext, type Context, type Deps } from './context';

class BodyTooLarge extends Error {}

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

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** Hands one HTTP request to Apollo Server (GET and POST on /graphql). */
async function graphql(apollo: ApolloServer<Context>, deps: Deps, req: http.IncomingMessage, res: http.ServerResponse) {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
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
  const url = new URL(req.url ?? '/', 'http://localhost');
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
    context: async () => createContext(deps, headers),
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** The API's HTTP server: /graphql, and /healthz (process alive). */
export function createHttpServer(apollo: ApolloServer<Context>, deps: Deps): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const handle = async () => {
      if (path === '/graphql') return graphql(apollo, deps, req, res);
      if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (path === '/') {
        res.writeHead(302, { location: '/graphql' });
        return res.end();
      }
      sendJson(res, 404, { error: 'not found: the API is at /graphql' });
    };
    handle().catch((err: unknown) => {
      if (err instanceof BodyTooLarge) {
        sendJson(res, 413, { errors: [{ message: `The request body is larger than ${deps.config.MAX_BODY_BYTES} bytes.`, extensions: { code: 'BAD_REQUEST' } }] });
        return;
      }
      deps.logger.error({ err }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.end();
    });
  });
}

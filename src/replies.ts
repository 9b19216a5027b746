import type http from 'node:http';

/** The JSON answers the HTTP routes send themselves (outside Apollo): a body, or GraphQL-shaped errors. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export const sendError = (
  res: http.ServerResponse,
  status: number,
  message: string,
  extensions: Record<string, unknown>,
  headers: Record<string, string> = {},
) => sendJson(res, status, { errors: [{ message, extensions }] }, headers);

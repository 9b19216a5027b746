import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

/**
 * The development explorer: GraphiQL 5 in the Ruru distribution, served from the `ruru` package's
 * prebuilt static files (no CDN: the page and everything it loads come from this server), with the
 * example operations of the README and docs/ preloaded. The page needs no credentials; the token it sends is the one
 * given in the address's fragment (`/explorer#token=…`, which browsers never send to the server),
 * moved into the headers editor and dropped from the address bar.
 */
export interface Explorer {
  /** Answers GET /explorer and /explorer/static/*; false when the path is not the explorer's. */
  handle(pathname: string, res: http.ServerResponse): boolean;
}

export const EXPLORER_PATH = '/explorer';
const STATIC_PATH = `${EXPLORER_PATH}/static/`;

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Only this server and inline code: a page that tried to reach a CDN would fail here too. Monaco's
 * workers are loaded from this server; GraphiQL's styles and the start-up script are inline.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The installed Ruru's static folder, or null when the package is absent (production installs omit it). */
function ruruStatic(): string | null {
  try {
    const dir = path.join(path.dirname(require.resolve('ruru/static')), '..', 'static');
    return existsSync(path.join(dir, 'ruru.js')) ? dir : null;
  } catch {
    return null;
  }
}

/** The example operations (examples/operations/*.graphql, the README's and docs/'s), as one document. */
function examples(root: string): string {
  const dir = path.join(root, 'examples', 'operations');
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.graphql'))
        .sort()
    : [];
  // Short lines: the editor's top right holds the ▶ button, which covers the end of a long first line.
  const intro = '# Customer 360: the examples of the README and docs/.\n# Run one with ▶ (it asks which).\n\n';
  return intro + files.map((f) => readFileSync(path.join(dir, f), 'utf8').trim()).join('\n\n') + '\n';
}

/** The page's icon (served by this module, so the browser asks for no /favicon.ico). */
const FAVICON = 'c360-icon.svg';
const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="#1f6feb"/>' +
  '<text x="16" y="21" font-family="sans-serif" font-size="13" font-weight="bold" fill="#fff" text-anchor="middle">360</text></svg>';

/** JSON for an inline <script>: nothing in it can close the element or open a comment. */
const inlineJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function page(endpoint: string, query: string): string {
  const config = { staticPath: STATIC_PATH, endpoint, initialQuery: query, defaultHeaders: '{}', isHeadersEditorEnabled: true };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>Customer 360 explorer</title>
<link rel="stylesheet" href="${STATIC_PATH}ruru.css" />
<link rel="icon" href="${STATIC_PATH}${FAVICON}" />
<style>
  body { margin: 0; } #ruru-root { height: 100vh; }
  /* An internal tool: not the distribution's name linking off-site, nor its funding appeal. */
  .graphiql-logo, .ruru-footer { display: none; }
</style>
<script>
  // The token comes in the fragment (never sent to a server), goes to the headers editor, and leaves
  // the address bar. GraphiQL fetches the schema before its headers editor exists: requests to the
  // endpoint sent without an Authorization header carry the token too.
  const RURU_CONFIG = ${inlineJson(config)};
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (token) {
    RURU_CONFIG.initialHeaders = JSON.stringify({ Authorization: 'Bearer ' + token }, null, 2);
    history.replaceState(null, '', location.pathname + location.search);
    const send = window.fetch.bind(window);
    window.fetch = (input, init = {}) => {
      const toEndpoint = typeof input === 'string' && new URL(input, location.href).pathname === RURU_CONFIG.endpoint;
      const headers = new Headers(init.headers);
      if (toEndpoint && !headers.has('authorization')) headers.set('authorization', 'Bearer ' + token);
      return send(input, toEndpoint ? { ...init, headers } : init);
    };
  }
</script>
<script type="module">
  const worker = (file) => new Worker(new URL(${inlineJson(STATIC_PATH)} + file, location.href), { type: 'module' });
  globalThis.MonacoEnvironment = {
    getWorker(_, label) {
      return worker(label === 'json' ? 'jsonWorker.js' : label === 'graphql' ? 'graphqlWorker.js' : 'editorWorker.js');
    },
  };
</script>
</head>
<body>
<div id="ruru-root"></div>
<script type="module">
  import { React, createRoot, Ruru } from ${inlineJson(`${STATIC_PATH}ruru.js`)};
  createRoot(document.getElementById('ruru-root')).render(React.createElement(Ruru, RURU_CONFIG));
</script>
</body>
</html>
`;
}

/**
 * The explorer for `endpoint`, or null when Ruru is not installed. The file list is read once; a
 * request names a file in it or gets 404, so no path outside the folder is ever opened.
 */
export function createExplorer(endpoint: string, root = process.cwd()): Explorer | null {
  const dir = ruruStatic();
  if (!dir) return null;
  const files = new Set(readdirSync(dir));
  const html = page(endpoint, examples(root));
  return {
    handle(pathname, res) {
      if (pathname === EXPLORER_PATH || pathname === `${EXPLORER_PATH}/`) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP, 'cache-control': 'no-store' });
        res.end(html);
        return true;
      }
      if (!pathname.startsWith(STATIC_PATH)) return false;
      const name = pathname.slice(STATIC_PATH.length);
      if (name === FAVICON) {
        res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' });
        res.end(ICON);
        return true;
      }
      const type = CONTENT_TYPES[path.extname(name)];
      if (!files.has(name) || !type) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('not found');
        return true;
      }
      res.writeHead(200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
      res.end(readFileSync(path.join(dir, name)));
      return true;
    },
  };
}

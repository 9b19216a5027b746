import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

/**
 * The console and dashboard pages (packages/web, built by `npm run build`), served from the built
 * folder `dir` (WEB_DIR) at /app: files by their exact relative path, and index.html for every other
 * path below /app (the pages' own routes, e.g. /app/dashboard). The pages sign in as the explorer
 * does: a token in the address's fragment (`/app#token=…`, never sent to a server), which the page
 * keeps for the tab and drops from the address bar.
 */
export interface Pages {
  /** Answers GET /app and everything below it; false when the path is not the pages'. */
  handle(pathname: string, res: http.ServerResponse): boolean;
}

export const PAGES_PATH = '/app';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/** This server only, no inline code: the build emits every script and style as a file. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Every file below `dir`, as paths relative to it with forward slashes. */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix)).flatMap((name) => {
    const rel = prefix ? `${prefix}/${name}` : name;
    return statSync(path.join(dir, rel)).isDirectory() ? listFiles(dir, rel) : [rel];
  });
}

/**
 * The pages built into `webDir` (resolved against the working directory), or null when it holds no index.html (not built). The file list is read
 * once; a request names a file in it or gets index.html (a path without an extension) or 404, so no
 * path outside the folder is ever opened. Hashed assets are cached for a year, index.html never.
 */
export function createPages(webDir: string): Pages | null {
  const dir = path.resolve(webDir);
  if (!existsSync(path.join(dir, 'index.html'))) return null;
  const files = new Set(listFiles(dir));
  const index = readFileSync(path.join(dir, 'index.html'));
  return {
    handle(pathname, res) {
      if (pathname !== PAGES_PATH && !pathname.startsWith(`${PAGES_PATH}/`)) return false;
      const name = pathname.slice(PAGES_PATH.length + 1);
      const type = CONTENT_TYPES[path.extname(name)];
      if (files.has(name) && type && name !== 'index.html') {
        const cache = name.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600';
        res.writeHead(200, { 'content-type': type, 'cache-control': cache, 'x-content-type-options': 'nosniff' });
        res.end(readFileSync(path.join(dir, name)));
        return true;
      }
      if (path.extname(name) !== '' && name !== 'index.html') {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('not found');
        return true;
      }
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': CSP,
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
      });
      res.end(index);
      return true;
    },
  };
}

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './dataset';

/**
 * The tools only the bench runs, at pinned versions. They are not the project's dependencies:
 * PostGraphile 5 and its packages declare Node >= 22, and `npm install` would warn about each of
 * them on Node 20. The bench installs them on demand into `.bench/tools` (git-ignored).
 */
export const BENCH_TOOLS = { postgraphile: '5.1.5' } as const;

/** Where BENCH_TOOLS are installed (`node_modules/` under it; bench/postgraphile.cjs requires from there). */
export const TOOLS_DIR = path.join(ROOT, '.bench', 'tools');

const installedVersion = (name: string): string | null => {
  const file = path.join(TOOLS_DIR, 'node_modules', name, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : null;
};

/** Installs BENCH_TOOLS into TOOLS_DIR unless those exact versions are there already (once; later runs reuse them). */
export function ensureBenchTools(log: (s: string) => void): void {
  const missing = Object.entries(BENCH_TOOLS).filter(([name, version]) => installedVersion(name) !== version);
  if (missing.length === 0) return;
  const specs = missing.map(([name, version]) => `${name}@${version}`);
  log(`installing ${specs.join(', ')} into ${path.relative(ROOT, TOOLS_DIR)} (once; later runs reuse it) …`);
  mkdirSync(TOOLS_DIR, { recursive: true });
  // --loglevel=error: on Node 20 npm would warn that PostGraphile wants Node 22; the bench polyfills what it lacks.
  execFileSync('npm', ['install', '--prefix', TOOLS_DIR, '--save-exact', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

/** The directory holding schema/*.graphql, found upwards from this file (works from src/ and dist/src/). */
function schemaDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'schema');
    if (existsSync(path.join(candidate, 'base.graphql'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error('schema/base.graphql not found above ' + __dirname);
  }
}

/** The SDL of every domain, base first. */
export function loadTypeDefs(): string[] {
  const dir = schemaDir();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort((a, b) => (a === 'base.graphql' ? -1 : b === 'base.graphql' ? 1 : a.localeCompare(b)));
  return files.map((f) => readFileSync(path.join(dir, f), 'utf8'));
}

import { loadSafelist, persistedQueryManifest } from './safelist';

const USAGE = `usage: npm run operations [-- --manifest]

Lists the safelisted operations (operations/*.graphql) and their ids, the SHA-256 of each file's text.
--manifest prints them as Apollo's persisted query list (JSON), the one the server also publishes at
GET /persisted-queries.json.`;

/** `npm run operations`: the safelisted operations and their ids, or (--manifest) Apollo's persisted query list. */
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
} else if (args.some((a) => a !== '--manifest')) {
  process.stderr.write(`unknown argument ${args.find((a) => a !== '--manifest')}\n${USAGE}\n`);
  process.exitCode = 2;
} else if (args.includes('--manifest')) {
  process.stdout.write(`${JSON.stringify(persistedQueryManifest(loadSafelist()), null, 2)}\n`);
} else {
  for (const [hash, file] of loadSafelist().names) process.stdout.write(`${hash}  ${file}\n`);
}

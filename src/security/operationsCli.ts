import { runCommand } from '../cli/command';
import { loadSafelist, persistedQueryManifest } from './safelist';

const USAGE = `usage: npm run operations [-- --manifest]

Lists the safelisted operations (operations/*.graphql) and their ids, the SHA-256 of each file's text.
--manifest prints them as Apollo's persisted query list (JSON), the one the server also publishes at
GET /persisted-queries.json.`;

/** `npm run operations`: the safelisted operations and their ids, or (--manifest) Apollo's persisted query list. */
runCommand({ name: 'operations', usage: USAGE, options: { manifest: { type: 'boolean', default: false } } }, ({ values }) => {
  if (values.manifest) return void process.stdout.write(`${JSON.stringify(persistedQueryManifest(loadSafelist()), null, 2)}\n`);
  for (const [hash, file] of loadSafelist().names) process.stdout.write(`${hash}  ${file}\n`);
});

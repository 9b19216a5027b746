import path from 'node:path';
import { required, runCommand, UsageError } from '../src/cli/command';
import { ensureNode } from './node';

const USAGE = `usage: tsx bench/fetchNode.ts VERSION

Prints the directory of the \`node\` binary of Node VERSION (major.minor.patch, e.g. 24.22.3): this
process's own when it is that version, else .bench/node-VERSION/bin, fetched once from the npm
registry (bench/node.ts; about 50 MB) and reused afterwards. .ci/run puts it first on PATH to run the
tests on Node 22 and 24.`;

runCommand({ name: 'fetchNode', usage: USAGE, options: {}, positionals: 1 }, ({ positionals }) => {
  const version = required('Node version (major.minor.patch)', positionals[0]);
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new UsageError(`Node version must be major.minor.patch, got ${version}`);
  process.stdout.write(`${path.dirname(ensureNode(version))}\n`);
});

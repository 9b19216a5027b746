import { printSubgraphSchema } from '@apollo/subgraph';
import { oneOf, runCommand } from './cli/command';
import { buildSchema } from './server';
import { checkContract, CONTRACT_FILE, writeContract } from './schemaContract';

const USAGE = `usage: tsx src/schemaCli.ts print|check|subgraph   (npm run schema:print, schema:check, schema:subgraph)

print writes the code's schema to schema.graphql; check fails when schema.graphql differs from the
code or its last change breaks clients; subgraph prints the federation subgraph SDL (with @key) for
supergraph composition.`;

runCommand({ name: 'schema', usage: USAGE, positionals: 1, options: {} }, async ({ positionals }) => {
  const command = oneOf('command', positionals[0], ['print', 'check', 'subgraph'] as const);
  if (command === 'print') {
    writeContract();
    process.stdout.write(`wrote ${CONTRACT_FILE}\n`);
  } else if (command === 'subgraph') {
    process.stdout.write(`${printSubgraphSchema(buildSchema().schema)}\n`);
  } else {
    const problems = await checkContract();
    for (const p of problems) process.stderr.write(`schema: ${p}\n`);
    if (problems.length) process.exit(1);
    process.stdout.write('schema.graphql matches the code and breaks no client\n');
  }
});

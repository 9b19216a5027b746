import { printSubgraphSchema } from '@apollo/subgraph';
import { buildSchema } from './server';
import { checkContract, CONTRACT_FILE, writeContract } from './schemaContract';

/**
 * `npm run schema:print` writes schema.graphql; `npm run schema:check` fails on drift or breaking
 * changes; `npm run schema:subgraph` prints the subgraph SDL (with @key) for supergraph composition.
 */
async function main(): Promise<void> {
  const command = process.argv[2];
  if (command === 'print') {
    writeContract();
    process.stdout.write(`wrote ${CONTRACT_FILE}\n`);
    return;
  }
  if (command === 'subgraph') {
    process.stdout.write(`${printSubgraphSchema(buildSchema().schema)}\n`);
    return;
  }
  if (command !== 'check') throw new Error('usage: schemaCli print|check|subgraph');
  const problems = await checkContract();
  for (const p of problems) process.stderr.write(`schema: ${p}\n`);
  if (problems.length) process.exit(1);
  process.stdout.write('schema.graphql matches the code and breaks no client\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`schema: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { breakingChanges, CONTRACT_FILE, printContract } from '../../src/schemaContract';

const v1 = buildSchema(`
  type Query { customer(id: ID!): Customer }
  type Customer { id: ID! name: String @deprecated(reason: "use fullName") fullName: String tier: Tier }
  enum Tier { HIGH LOW OLD @deprecated(reason: "merged into LOW") }
  input Filter { city: String }
`);

describe('the schema contract', () => {
  it('lets additions and the removal of what was deprecated through', async () => {
    const v2 = buildSchema(`
      type Query { customer(id: ID!): Customer customers: [Customer!]! }
      type Customer { id: ID! fullName: String tier: Tier email: String }
      enum Tier { HIGH LOW }
      input Filter { city: String country: String }
    `);
    expect(await breakingChanges(v1, v2)).toEqual([]);
  });

  it('refuses removing or retyping what clients may still use', async () => {
    const v2 = buildSchema(`
      type Query { customer(id: ID!): Customer }
      type Customer { id: ID! name: String @deprecated(reason: "use fullName") tier: String }
      enum Tier { HIGH OLD }
      input Filter { city: String! }
    `);
    const problems = await breakingChanges(v1, v2);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining("'fullName'"),
        expect.stringContaining("'Customer.tier' changed type"),
        expect.stringContaining("'LOW'"),
      ]),
    );
    expect(problems.some((p) => p.includes('city'))).toBe(true);
  });

  it('is what the code serves (npm run schema:print keeps schema.graphql in step)', () => {
    expect(readFileSync(CONTRACT_FILE, 'utf8')).toBe(printContract());
  });
});

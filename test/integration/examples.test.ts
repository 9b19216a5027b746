import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runOperation } from '../../examples/client';
import { ExampleDocument, LookupDocument } from '../../examples/__generated__/graphql';
import { fixtureDataset, NOW } from '../fixtures/crm';
import { bearer } from '../helpers/tokens';
import { apiSuite } from '../helpers/suite';

const ROOT = path.resolve(__dirname, '../..');

const suite = apiSuite('examples', fixtureDataset(), { clock: () => NOW });

/** The documentation's pages: the README first, then docs/*.md in name order. */
const PAGES = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];

describe('the example operations of the README and docs/', () => {
  it('are the files codegen types (examples/operations), in page order', () => {
    const documented = PAGES.flatMap((page) =>
      [...readFileSync(path.join(ROOT, page), 'utf8').matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]),
    );
    const files = ['Example', 'Population', 'Lookup', 'Dashboard'].map((n) =>
      readFileSync(path.join(ROOT, 'examples/operations', `${n}.graphql`), 'utf8'),
    );
    expect(readdirSync(path.join(ROOT, 'examples/operations')).sort()).toEqual([
      'Dashboard.graphql',
      'Example.graphql',
      'Lookup.graphql',
      'Population.graphql',
    ]);
    expect(documented).toEqual(files);
  });

  it('run through the typed client, answers typed by the schema', async () => {
    const token = (await bearer(['admin'])).authorization.slice('Bearer '.length);
    const example = await runOperation(suite.api.url, token, ExampleDocument);
    const first = example.data!.customers.edges[0]!.node;
    const tier: string | null = first.valueTier; // ValueTier | null, checked by tsc
    expect(first.id).toMatch(/^c_/);
    expect(tier === null || ['HIGH_VALUE', 'REGULAR', 'POTENTIAL', 'LOW'].includes(tier)).toBe(true);
    const lookup = await runOperation(suite.api.url, token, LookupDocument);
    // It names demo customers (start.test.ts runs it on the demo); here, on the fixture, it answers each alias.
    expect(lookup.errors).toBeUndefined();
    expect(Object.keys(lookup.data!)).toEqual(['byPhone', 'byEmail', 'bySocial', 'search']);
  });
});

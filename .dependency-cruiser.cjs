/**
 * The layering, checked by `npm run lint:deps` (part of `npm test`): dependencies point down,
 * resolvers → services → derivations (insights) → sources → db, nothing forms a cycle, type-only
 * imports included (TypeScript's `import type` is followed: tsPreCompilationDeps), and the dev tools
 * in packages/ are reached only through the API's development entry.
 */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'A cycle, type-only ones included.', from: {}, to: { circular: true } },
    {
      name: 'resolvers-only-from-server',
      severity: 'error',
      comment: 'Resolvers are the top: only the schema builder (src/server.ts) wires them.',
      from: { path: '^src/', pathNot: '^src/server\\.ts$' },
      to: { path: '^resolvers/' },
    },
    {
      name: 'services-below-resolvers',
      severity: 'error',
      comment: 'Services, derivations and sources never reach up into resolvers, the HTTP edge or the server.',
      from: { path: '^src/(services|insights|sources|snapshot|security|db)/' },
      to: { path: '^(resolvers/|src/(server|http|main|exports|explorer)\\.ts$)' },
    },
    {
      name: 'derivations-are-pure',
      severity: 'error',
      comment:
        'Rules and derivations (src/insights) take facts and a clock: no services, context or I/O; from the sources below them, row types only.',
      from: { path: '^src/insights/' },
      to: { path: '^src/(services|snapshot|security|db)/|^src/context\\.ts$' },
    },
    {
      name: 'derivations-read-no-source',
      severity: 'error',
      comment: 'A derivation may name a source row type, never call a source.',
      from: { path: '^src/insights/' },
      to: { path: '^src/sources/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'sources-own-their-rows',
      severity: 'error',
      comment:
        'Sources sit on the databases and the provider: they never import services, security, the snapshot job or the request context.',
      from: { path: '^src/sources/' },
      to: { path: '^src/(services|security|snapshot|insights)/|^src/context\\.ts$' },
    },
    {
      name: 'packages-never-import-the-api',
      severity: 'error',
      comment: 'The dev tools in packages/ stand alone (they keep their own copies of the contracts).',
      from: { path: '^packages/' },
      to: { path: '^(src|resolvers)/' },
    },
    {
      name: 'api-reaches-packages-through-the-dev-entry',
      severity: 'error',
      comment: 'Only src/embedded (loaded on demand when a source is not configured) may import the dev tools.',
      from: { path: '^(src|resolvers)/', pathNot: '^src/embedded/' },
      to: { path: '^packages/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Build output (packages/web's bundles) is not source.
    exclude: { path: '^packages/[^/]+/dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};

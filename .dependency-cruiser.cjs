/**
 * The layer rules (see README "Layout"): arrows run downward only. Checked by test/layers.test.ts.
 * Tests and conformance suites may reach upward (an integration test builds a whole gateway); shipped code may not.
 */
const SHIPPED = { path: '^src/', pathNot: '\\.(test|case)\\.ts$' };
const RUNTIME = { path: '^src/(?!lab/|cli/|testing/)', pathNot: '\\.(test|case)\\.ts$' };

module.exports = {
  forbidden: [
    {
      name: 'wire-imports-nothing',
      comment: 'wire/ is the bottom layer: types, schemas and pure conversions between API shapes.',
      severity: 'error',
      from: { path: '^src/wire/', pathNot: '\\.(test|case)\\.ts$' },
      to: { path: '^src/', pathNot: '^src/wire/' },
    },
    {
      name: 'request-sits-above-wire-only',
      comment: 'request/ holds what stages and policies share; it may use wire, config types, errors and tokens.',
      severity: 'error',
      from: { path: '^src/request/', pathNot: '\\.(test|case)\\.ts$' },
      to: { path: '^src/', pathNot: '^src/(request|wire|config|errors|tokens)/' },
    },
    {
      name: 'routing-below-pipeline',
      severity: 'error',
      from: { path: '^src/routing/', pathNot: '\\.(test|case)\\.ts$' },
      to: { path: '^src/(pipeline|server|cli)/' },
    },
    {
      name: 'catalog-knows-no-provider',
      severity: 'error',
      from: { path: '^src/catalog/', pathNot: '\\.(test|case)\\.ts$' },
      to: { path: '^src/(providers|routing|pipeline|server|cli)/' },
    },
    {
      name: 'stages-below-the-edge',
      comment: 'Only the CLI sits above the HTTP edge; nothing below it imports server/ or cli/.',
      severity: 'error',
      from: { path: '^src/(?!server/|cli/|testing/|lab/|index\\.ts$)', pathNot: '\\.(test|case)\\.ts$' },
      to: { path: '^src/(server|cli)/' },
    },
    {
      name: 'only-the-cli-runs-the-cluster',
      comment: 'cluster/ (server.workers: the primary, IPC stores) sits just below cli/: only `frugal serve` starts it.',
      severity: 'error',
      from: { path: '^src/(?!cli/|cluster/|testing/)', pathNot: '\\.(test|case)\\.ts$' },
      to: { path: '^src/cluster/' },
    },
    {
      name: 'batches-above-the-pipeline',
      comment: 'batches/ (Files and Batches API) runs lines through the pipeline and sits just below the edge: only server/ and cli/ import it.',
      severity: 'error',
      from: { path: '^src/(?!batches/|server/|cli/|testing/|lab/|index\\.ts$)', pathNot: '\\.(test|case)\\.ts$' },
      to: { path: '^src/batches/' },
    },
    {
      name: 'runtime-never-imports-lab',
      comment: 'lab/ is offline tooling (evals, training, simulation), reached from the CLI only.',
      severity: 'error',
      from: RUNTIME,
      to: { path: '^src/lab/' },
    },
    {
      name: 'shipped-code-never-imports-test-support',
      comment: 'src/testing/ is left out of dist/.',
      severity: 'error',
      from: { ...SHIPPED, pathNot: '(\\.(test|case)\\.ts$)|^src/testing/' },
      to: { path: '^src/testing/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist)/' },
  },
};

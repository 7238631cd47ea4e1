/**
 * Dependency rules that TypeScript project references cannot express: direction inside a runtime, module
 * entry through index.ts, Electron confined to its adapter, and no cycles. See docs/architecture.md.
 * Runs inside `npm test` (scripts/check.mjs); a violation fails CI.
 */
const DOC = 'see docs/architecture.md#dependency-rules';

module.exports = {
  forbidden: [
    {
      name: 'shared-is-leaf',
      severity: 'error',
      comment: `shared/ imports nothing but itself: no Node built-ins, no DOM, no npm packages (${DOC})`,
      from: { path: '^shared/' },
      to: { pathNot: '^shared/' },
    },
    {
      name: 'runtimes-only-share-shared',
      severity: 'error',
      comment: `engine, ui and tray never import each other; they meet on the wire through shared/ (${DOC})`,
      from: { path: '^(engine|ui|tray)/' },
      to: { path: '^(engine|ui|tray)/', pathNot: '^$1/' },
    },
    {
      name: 'runtime-code-not-to-tests',
      severity: 'error',
      comment: `production code never imports the test harness (${DOC})`,
      from: { path: '^(engine|ui|tray|shared)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^tests/' },
    },
    {
      name: 'engine-core-not-to-edges',
      severity: 'error',
      comment: `engine core modules (arrow, parse, security, derive) are pure and never reach the edges (${DOC})`,
      from: { path: '^engine/src/(arrow|parse|security|derive)/' },
      to: { path: '^engine/src/(serve|live|ingest|pipeline|cli|sources)/' },
    },
    {
      name: 'enter-modules-through-index',
      severity: 'error',
      comment: `a module folder is entered through its index.ts (${DOC})`,
      from: { path: '^(engine|ui|tray)/src/([^/]+)/', pathNot: '\\.test\\.ts$' },
      to: {
        path: '^(engine|tray)/src/[^/]+/',
        pathNot: ['^$1/src/$2/', '^(engine|tray)/src/[^/]+/index\\.ts$'],
      },
    },
    {
      name: 'electron-only-in-adapter',
      severity: 'error',
      comment: `only tray/src/electron/ may import electron, so everything else runs and tests without its binary (${DOC})`,
      from: { pathNot: '^tray/src/electron/' },
      to: { path: '(^|/)node_modules/electron/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: `no import cycles (${DOC})`,
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'every import resolves (Vite asset imports such as `x.wasm?url` are resolved by Vite)',
      from: {},
      to: { couldNotResolve: true, pathNot: '\\?(url|raw|worker)$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|\\.tsbuild)/' },
    tsConfig: { fileName: 'tsconfig.base.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.vue', '.json'],
    },
  },
};

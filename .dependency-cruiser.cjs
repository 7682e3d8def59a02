// Layer rules (ARCHITECTURE.md §2, table in docs/decisions.md), checked on resolved paths by
// `npm run lint`. `allowed` is the allow-list of who may import whom: an import that matches none of
// its rules fails. `forbidden` adds what an allow-list cannot say: no cycles, the runtime rules inside
// the client (std code runs anywhere, dom code in a browser, node code in Node), and packages that
// belong to one layer only.
const TEST = '\\.test\\.tsx?$';
const CLIENT_ENTRIES = '^client/src/(std/index|dom/index|dom/worker|node/index)\\.ts$';

module.exports = {
  allowed: [
    // Tests and benchmarks may reach anything; so may a unit test beside its code.
    { from: { path: '^(tests|bench)/' }, to: {} },
    { from: { path: TEST }, to: {} },
    // Every layer may use its own files and its npm dependencies (some are barred below).
    { from: { path: '^(protocol|client|server|renderer|main|preload)/' }, to: { path: 'node_modules/' } },
    { from: { path: '^protocol/' }, to: { path: '^protocol/' } },
    { from: { path: '^client/' }, to: { path: '^(client|protocol)/' } },
    { from: { path: '^client/src/node/' }, to: { dependencyTypes: ['core'] } },
    { from: { path: '^server/' }, to: { path: '^(server|protocol)/' } },
    { from: { path: '^server/' }, to: { dependencyTypes: ['core'] } },
    // The UI: the protocol, and the client only through its package entries.
    { from: { path: '^renderer/' }, to: { path: ['^renderer/', '^protocol/', CLIENT_ENTRIES] } },
    { from: { path: '^renderer/vite\\.config\\.ts$' }, to: { dependencyTypes: ['core'] } },
    // The desktop app: main uses the protocol and the client's entries; preload the protocol's types.
    { from: { path: '^main/' }, to: { path: ['^main/', '^protocol/', CLIENT_ENTRIES] } },
    { from: { path: '^main/' }, to: { dependencyTypes: ['core'] } },
    { from: { path: '^preload/' }, to: { path: '^preload/' } },
    { from: { path: '^preload/' }, to: { path: '^protocol/', dependencyTypes: ['type-only'] } },
    // …and the desktop contract's channel names: constants only, no imports, bundled into the preload.
    { from: { path: '^preload/' }, to: { path: '^protocol/src/desktop\\.ts$' } },
    { from: { path: '^preload/vite\\.config\\.ts$' }, to: { dependencyTypes: ['core'] } },
  ],
  allowedSeverity: 'error',
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'std-runs-anywhere',
      comment: 'protocol and client/src/std run in browsers, workers and Node: no DOM or Node code',
      severity: 'error',
      from: { path: '^(protocol/|client/src/std/)', pathNot: TEST },
      to: { path: '^client/src/(dom|node)/' },
    },
    {
      name: 'dom-code-is-not-node',
      severity: 'error',
      from: { path: '^(client/src/dom|renderer/src)/', pathNot: TEST },
      to: { path: '^client/src/node/' },
    },
    {
      name: 'node-code-is-not-dom',
      severity: 'error',
      from: { path: '^(client/src/node|server|main)/', pathNot: TEST },
      to: { path: '^client/src/dom/' },
    },
    {
      name: 'ui-never-touches-the-network',
      comment: 'the renderer talks to the session core over a port, never to a server',
      severity: 'error',
      from: { path: '^renderer/', pathNot: '^renderer/vite\\.config\\.ts$' },
      to: { path: 'node_modules/(socket\\.io-client|engine\\.io-client)/' },
    },
    {
      name: 'electron-only-in-the-desktop-app',
      severity: 'error',
      from: { path: '^(protocol|client|server|renderer)/' },
      to: { path: 'node_modules/electron/' },
    },
    {
      name: 'server-packages-stay-in-the-server',
      severity: 'error',
      from: { path: '^(protocol|client|renderer|main|preload)/' },
      to: { path: 'node_modules/(better-sqlite3|fastify|kysely|socket\\.io)/' },
    },
    { name: 'resolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.base.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|web)/' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
  },
};

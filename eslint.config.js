// One lint setup for every workspace. Layer import rules live here so the map in
// ARCHITECTURE.md §2 ("may import") is checked, not just written down.
import tseslint from 'typescript-eslint';

const layer = (files, forbidden) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((group) => ({
          group: [group],
          message: 'Layer rule: see ARCHITECTURE.md §2.',
        })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'server/web/**', 'coverage/**', 'test-results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  layer(['protocol/**'], ['@switchboard/client', 'switchboard-server', '**/server/**', '**/client/**']),
  layer(['client/**'], ['switchboard-server', '**/server/src/**']),
  layer(['server/src/**'], ['@switchboard/client', '**/client/src/**']),
  // The UI never touches the network or the server: it talks to the session core over a port.
  layer(
    ['renderer/**'],
    ['switchboard-server', '**/server/src/**', 'socket.io-client', 'electron', '**/main/**', '**/preload/**'],
  ),
  // Desktop main: Electron, the session core's Node entry and the protocol; never the UI's code (its
  // one shared constant, the CSP, sits outside renderer/src) nor the server.
  layer(['main/**'], ['switchboard-server', '**/server/src/**', '**/renderer/src/**', 'react', 'react-dom']),
  // The sandboxed preload: Electron and the protocol's desktop contract only, so it stays one small file.
  layer(
    ['preload/**'],
    [
      '@switchboard/client',
      '@switchboard/client/*',
      '**/client/**',
      '**/server/**',
      '**/main/**',
      '**/renderer/**',
      'zod',
    ],
  ),
  // CLI output, tests and benchmarks talk to a person through the console on purpose.
  {
    files: ['server/src/cli/**', 'tests/**', 'bench/**', '**/*.test.ts', '**/*.mjs'],
    rules: { 'no-console': 'off' },
  },
  // Tests poke at raw JSON responses; typing every shape there adds noise, not safety.
  {
    files: ['tests/**', '**/*.test.ts', '**/*.test.tsx'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);

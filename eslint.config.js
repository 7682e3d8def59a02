// One lint setup for every workspace. The layer and runtime import rules of ARCHITECTURE.md §2 are
// checked on resolved paths by dependency-cruiser (.dependency-cruiser.cjs), also run by `npm run lint`.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'server/web/**', 'coverage/**', 'test-results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
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

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      '{protocol,client,server,renderer,main,preload}/src/**/*.test.{ts,tsx}',
      'tests/{chaos,fuzz,pack,integration,docs,desktop}/**/*.test.ts',
    ],
    environment: 'node',
    setupFiles: ['tests/support/vitest-setup.ts'],
    pool: 'forks',
    // Two cores: more workers only adds contention to tests that run real servers.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});

import { defineConfig } from 'vitest/config';

/** The server's tests that run a real server (on whichever database the project gives them). */
const SERVER_TESTS = 'server/src/**/*.test.ts';

export default defineConfig({
  test: {
    environment: 'node',
    setupFiles: ['tests/support/vitest-setup.ts'],
    pool: 'forks',
    // Two cores: more workers only adds contention to tests that run real servers.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: [
            '{protocol,client,server,renderer,main,preload}/src/**/*.test.{ts,tsx}',
            'tests/{chaos,fuzz,pack,integration,docs,desktop}/**/*.test.ts',
          ],
        },
      },
      {
        // The server's suite again on PostgreSQL (a throwaway cluster for the run, a database per
        // test server), and the tests of several nodes sharing PostgreSQL and Redis.
        extends: true,
        test: {
          name: 'postgres',
          include: [SERVER_TESTS, 'tests/cluster/**/*.test.ts'],
          exclude: [
            // About SQLite itself: its files and their permissions, its pragmas, its online backup.
            'server/src/store/database.test.ts',
            'server/src/store/files.test.ts',
            // The commands against a data directory; tests/cluster/cli.test.ts runs them with
            // --database-url against PostgreSQL.
            'server/src/cli/program.test.ts',
            // No server and no database: configuration, command-line parsing, pure functions.
            'server/src/config.test.ts',
            'server/src/cli/duration.test.ts',
            'server/src/cli/invocation.test.ts',
            'server/src/logger.test.ts',
            'server/src/http/securityHeaders.test.ts',
            'server/src/realtime/presenceBatcher.test.ts',
          ],
          env: { SB_TEST_DATABASE: 'postgres' },
          globalSetup: ['tests/support/services.global.ts'],
        },
      },
    ],
  },
});

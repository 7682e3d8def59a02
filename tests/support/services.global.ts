// Vitest global setup of the "postgres" project: one throwaway PostgreSQL cluster for the whole run,
// shared by every test file (each test server gets a database of its own), stopped at the end.
import { SHARED_POSTGRES_ENV, startPostgres } from './postgres.ts';

export default async function setup(): Promise<() => Promise<void>> {
  const cluster = await startPostgres();
  // Read by the test files' workers, which start after this and inherit the environment.
  process.env[SHARED_POSTGRES_ENV] = cluster.url();
  return () => cluster.stop();
}

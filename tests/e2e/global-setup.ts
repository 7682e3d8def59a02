// Starts one real server (the built CLI) on 127.0.0.1 with a temporary data dir for the whole run, with
// the people the tests sign in as. Builds nothing: it stops with a clear message when the server or
// the web client is not built.
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, SERVER_CLI } from '../support/server.ts';
import { E2E_ENV, PEOPLE, type E2eEnv } from './support/env.ts';
import { startServerWithPeople, stopServer } from './support/servers.ts';

const WEB_INDEX = path.join(REPO_ROOT, 'server/web/index.html');

export default async function globalSetup(): Promise<() => Promise<void>> {
  for (const [file, how] of [
    [SERVER_CLI, 'npm run build'],
    [WEB_INDEX, 'npx vite build --config renderer/vite.config.ts'],
  ] as const) {
    if (!fs.existsSync(file))
      throw new Error(`${path.relative(REPO_ROOT, file)} is missing: run "${how}" first`);
  }
  if (!fs.readFileSync(WEB_INDEX, 'utf8').includes('/assets/index-')) {
    throw new Error('server/web holds the placeholder page, not the web client: run the Vite build first');
  }

  const [admin, ...others] = PEOPLE;
  const { server, dataDir } = await startServerWithPeople(others, admin);
  const env: E2eEnv = { url: server.url, dataDir };
  process.env[E2E_ENV] = JSON.stringify(env);

  return async () => {
    await stopServer(server);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}

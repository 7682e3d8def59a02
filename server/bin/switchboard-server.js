#!/usr/bin/env node
// The `switchboard-server` command. It lives in the sources, not in dist/, because npm links a bin
// only if its file exists at install time: in a checkout `npm ci` runs before `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  const checkout = fileURLToPath(new URL('../..', import.meta.url));
  process.stderr.write(`switchboard-server is not built yet: run "npm run build" in ${checkout}\n`);
  process.exit(1);
}
await import(cli.href);

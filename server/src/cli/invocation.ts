// The first-admin hint prints a command to paste into a shell. It must be one that works for how
// this server was started, and point at the same database, whatever directory it is pasted in.
import fs from 'node:fs';
import path from 'node:path';
import { describeConfig, type Config } from '../config.ts';
import { isPostgresUrl, sqliteFileFor } from '../store/database.ts';

const BIN = 'switchboard-server';

/**
 * The command that runs this CLI again. `script` is process.argv[1], `env` the process environment.
 * - Started by npx (npm exec): npx finds the same package again, from its cache or the project's bins.
 * - Started by a bin name the shell finds on its PATH (a global install): that name.
 * - Otherwise (a checkout's `node server/dist/cli.js`, `npm start`, any other path): node and the
 *   absolute path of the running file.
 */
export function cliCommand(script: string, env: NodeJS.ProcessEnv): string {
  if (env.npm_command === 'exec') {
    const pkg = env.npm_config_package;
    return pkg ? `npx --package ${shellQuote(pkg)} ${BIN}` : `npx ${BIN}`;
  }
  // Under another npm command the PATH holds node_modules/.bin folders that the person's shell lacks.
  if (!env.npm_lifecycle_event && path.basename(script) === BIN && shellFinds(script, env.PATH ?? ''))
    return BIN;
  return `node ${shellQuote(path.resolve(script))}`;
}

/** The flags that point another CLI command at this configuration's database, from any directory. */
export function storageFlags(config: Config): string {
  // Printed with its password masked: the operator puts theirs back.
  if (isPostgresUrl(config.databaseUrl))
    return `--database-url ${shellQuote(String(describeConfig(config).databaseUrl))}`;
  if (config.databaseUrl)
    return `--database-url ${shellQuote(`sqlite:${path.resolve(sqliteFileFor(config))}`)}`;
  return `--data-dir ${shellQuote(path.resolve(config.dataDir))}`;
}

/** Whether the first `switchboard-server` on PATH is the file that is running. */
function shellFinds(script: string, searchPath: string): boolean {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, BIN);
    if (fs.existsSync(candidate)) return realpath(candidate) === realpath(script);
  }
  return false;
}

function realpath(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch {
    return undefined;
  }
}

export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

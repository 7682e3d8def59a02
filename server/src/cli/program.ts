// Command-line interface. Every command reads configuration the same way as the server
// (file < SWITCHBOARD_* env < flags), so `user add --data-dir X` talks to the same database.
import path from 'node:path';
import { Command, Help, Option } from 'commander';
import { SwitchboardError } from '@switchboard/protocol';
import {
  describeConfig,
  envName,
  flagName,
  resolveConfig,
  SETTINGS,
  SETTING_NAMES,
  type Config,
  type ConfigInput,
  type SettingName,
} from '../config.ts';
import { SERVER_VERSION } from '../version.ts';
import { registerAccessCommands } from './access.ts';
import { registerAccountCommands } from './accounts.ts';
import { registerBackupCommand, registerRestoreCommand } from './backup.ts';
import { printable } from './printable.ts';
import { serve } from './serve.ts';

const STORAGE_SETTINGS: SettingName[] = ['dataDir', 'databaseUrl', 'durability'];

/** Adds `--config` and one flag per setting; returns a function that resolves the effective config. */
export function withSettings(
  command: Command,
  names: readonly SettingName[] = SETTING_NAMES,
): (opts: Record<string, unknown>) => Config {
  command.option('-c, --config <file>', 'config file (YAML or JSON); also SWITCHBOARD_CONFIG');
  for (const name of names) {
    const flag = flagName(name);
    const spec = name === 'trustProxy' ? `${flag} [bool]` : `${flag} <value>`;
    command.addOption(new Option(spec, `${SETTINGS[name].help} [env ${envName(name)}]`));
  }
  return (opts) => {
    const flags: ConfigInput = {};
    for (const name of names)
      if (opts[name] !== undefined) flags[name] = opts[name] === true ? 'true' : opts[name];
    return resolveConfig({ file: opts.config as string | undefined, env: process.env, flags });
  };
}

export function buildProgram(): Command {
  const program = new Command('switchboard-server')
    .description('Self-hosted chat and notification server. Run with no command to start it.')
    .version(SERVER_VERSION)
    // Set before the subcommands exist so they inherit it: otherwise their usage errors and --help
    // call process.exit themselves instead of letting runCli return the exit code.
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    // Usage errors carry a code like every other error of this CLI.
    .configureOutput({
      outputError: (text, write) => write(text.replace(/^error: /, 'error [bad_request]: ')),
    })
    .addHelpText(
      'after',
      `
Examples:
  switchboard-server                                   start on http://127.0.0.1:8080 with ./switchboard-data
  switchboard-server --host 0.0.0.0 --port 80 --data-dir /var/lib/switchboard
  echo 'a-long-password' | switchboard-server user add alice --admin --password-stdin
  switchboard-server token create alice --label backups --expires 90d
  switchboard-server access set everyone 'status-*' read-only
  switchboard-server config                            print the effective configuration

The options above are the server's settings (serve is the default command). Each command's own
flags: switchboard-server <command> --help, e.g. switchboard-server user add --help.
Settings come from a config file < SWITCHBOARD_* environment variables < flags.
Docs: the docs/ folder of the Switchboard repository (self-hosting.md, publish.md, api.md).`,
    );

  const serveCommand = program
    .command('serve', { isDefault: true })
    .description('start the server (the default command)');
  const serveConfig = withSettings(serveCommand);
  // `switchboard-server --port 9000` runs serve, so the top-level help lists serve's flags too.
  program.configureHelp({
    visibleOptions(cmd) {
      const own = Help.prototype.visibleOptions.call(this, cmd);
      if (cmd !== program) return own;
      const settings = Help.prototype.visibleOptions.call(this, serveCommand);
      return [...own, ...settings.filter((option) => !own.some((o) => o.long === option.long))];
    },
  });
  serveCommand.action(async (opts) => {
    await serve(serveConfig(opts));
  });

  const configCommand = program
    .command('config')
    .description('print the effective configuration (secrets masked) and exit');
  const configConfig = withSettings(configCommand);
  configCommand.action((opts) => {
    const config = configConfig(opts);
    console.log(
      JSON.stringify({ ...describeConfig(config), dataDir: path.resolve(config.dataDir) }, null, 2),
    );
  });

  const storageSettings = (command: Command, extra: SettingName[] = []) =>
    withSettings(command, [...STORAGE_SETTINGS, ...extra]);
  registerAccountCommands(program, storageSettings);
  registerAccessCommands(program, storageSettings);
  registerBackupCommand(program, (command) => withSettings(command, STORAGE_SETTINGS));
  registerRestoreCommand(program, (command) => withSettings(command, STORAGE_SETTINGS));
  return program;
}

/**
 * `serve` is the default command, so commander would take an unknown command for serve's argument
 * and answer "too many arguments for 'serve'".
 */
function refuseUnknownCommand(program: Command, first: string | undefined): void {
  if (first === undefined || first.startsWith('-') || first === 'help') return;
  if (program.commands.some((command) => command.name() === first || command.aliases().includes(first)))
    return;
  const names = program.commands.map((command) => command.name()).join(', ');
  throw new SwitchboardError(
    'bad_request',
    `unknown command "${first}": the commands are ${names} (see --help)`,
  );
}

/** Runs the CLI and returns the exit code; errors are printed with their code, never as a stack. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    refuseUnknownCommand(program, argv[2]);
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    const commanderCode = (err as { code?: string }).code;
    if (commanderCode?.startsWith('commander.')) {
      // Help and version are exits with code 0; usage errors were already printed by commander.
      return (err as { exitCode?: number }).exitCode ?? 1;
    }
    if (err instanceof SwitchboardError) {
      console.error(`error [${err.code}]: ${printable(err.message)}`);
      return 1;
    }
    console.error(`error [internal]: ${printable((err as Error).message ?? String(err))}`);
    return 1;
  }
}

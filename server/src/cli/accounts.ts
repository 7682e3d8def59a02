// `user`, `token` and `invite` subcommands. They open the same database as the server (SQLite WAL
// allows it while the server runs) and go through the same domain code.
import type { Command } from 'commander';
import {
  CreateTokenRequest,
  Password,
  SwitchboardError,
  TOKEN_SCOPES,
  TokenScope,
  Username,
} from '@switchboard/protocol';
import fs from 'node:fs';
import { envName, flagName, type Config, type SettingName } from '../config.ts';
import { codeLink } from '../domain/oneTimeCodes.ts';
import { silentNotifier } from '../domain/notifier.ts';
import { parse } from '../errors.ts';
import { openServices } from '../server.ts';
import { isPostgresUrl, sqliteFileFor } from '../store/database.ts';
import { parseDuration } from './duration.ts';
import { randomPassword, readPasswordFromStdin } from './password.ts';
import { printable, printableJson } from './printable.ts';

/** Adds the storage settings' flags (and `extra` settings') to a command; resolves its config. */
export type Settings = (command: Command, extra?: SettingName[]) => (opts: Record<string, unknown>) => Config;
type Services = Awaited<ReturnType<typeof openServices>>;

/**
 * Opens the server's services for one command. Only a command that may be the first thing run on a
 * new server (`create`: `user add`, `access set`) creates the database; any other refuses a data
 * dir without one, so a mistyped `--data-dir` is not answered with an empty, new server.
 */
export async function withServices(
  config: Config,
  work: (s: Services) => Promise<void>,
  { create = false }: { create?: boolean } = {},
): Promise<void> {
  if (!create && !isPostgresUrl(config.databaseUrl)) {
    const file = sqliteFileFor(config);
    if (!fs.existsSync(file))
      throw new SwitchboardError(
        'not_found',
        `there is no Switchboard database at ${file}: check --data-dir (the server creates it when it first starts)`,
      );
  }
  const services = await openServices(config, { notifier: silentNotifier });
  try {
    await work(services);
  } finally {
    await services.db.destroy();
  }
}

export function define(
  parent: Command,
  settings: Settings,
  spec: string,
  description: string,
  extra: SettingName[] = [],
) {
  const command = parent.command(spec).description(description);
  const config = settings(command, extra);
  return { command, config };
}

/** `--label` and `--scope` of `token create`, checked by the same schema as the REST API. */
function tokenRequest(opts: Record<string, unknown>) {
  const scopes = String(opts.scope)
    .split(',')
    .map((scope) => parse(TokenScope, scope.trim(), '--scope'));
  return parse(CreateTokenRequest, { label: opts.label, scopes });
}

export function registerAccountCommands(program: Command, settings: Settings): void {
  const user = program.command('user').description('manage user accounts');

  const add = define(
    user,
    settings,
    'add <username>',
    'create a user (prints a generated password unless --password-stdin)',
  );
  add.command
    .option('--admin', 'make the user an admin')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (username: string, opts) => {
      parse(Username, username, 'username');
      const generated = !opts.passwordStdin;
      const password = generated
        ? randomPassword()
        : parse(Password, await readPasswordFromStdin(), 'password');
      await withServices(
        add.config(opts),
        async ({ accounts }) => {
          const created = await accounts.createUser({ username, password, isAdmin: Boolean(opts.admin) });
          console.log(
            `created ${created.isAdmin ? 'admin' : 'user'} ${printable(created.username)} (id ${created.id})`,
          );
          if (generated)
            console.log(`password: ${password}\n(shown once: store it now, or change it with "user passwd")`);
        },
        { create: true },
      );
    });

  const list = define(user, settings, 'list', 'list users');
  list.command.option('--json', 'print JSON').action(async (opts) => {
    await withServices(list.config(opts), async ({ accounts }) => {
      const users = await accounts.listUsers();
      if (opts.json) return console.log(printableJson(users));
      if (users.length === 0) return console.log('no users yet');
      for (const u of users)
        console.log(
          `${printable(u.username)}\t${u.isAdmin ? 'admin' : 'user'}${u.deactivated ? ' (deactivated)' : ''}\t${printable(u.id)}\t${new Date(u.createdAt).toISOString()}`,
        );
    });
  });

  const remove = define(
    user,
    settings,
    'remove <username>',
    'deactivate a user: sign-in refused, tokens revoked; their messages stay in history',
  );
  remove.command.action(async (username: string, opts) => {
    await withServices(remove.config(opts), async ({ accounts }) => {
      await accounts.deactivateUser(username);
      console.log(`deactivated ${username}: signed out everywhere; their messages stay`);
    });
  });

  const passwd = define(
    user,
    settings,
    'passwd <username>',
    'set a new password (ends their sign-in sessions and the access tokens those made)',
  );
  passwd.command
    .option('--password-stdin', 'read the password from standard input')
    .option(
      '--revoke-all-tokens',
      'also revoke every access token, not only those made by signed-in sessions',
    )
    .action(async (username: string, opts) => {
      if (!opts.passwordStdin)
        throw new SwitchboardError(
          'bad_request',
          'pass the new password on standard input with --password-stdin',
        );
      const password = parse(Password, await readPasswordFromStdin(), 'password');
      await withServices(passwd.config(opts), async ({ accounts }) => {
        const revokeAllTokens = Boolean(opts.revokeAllTokens);
        const revoked = await accounts.setPassword(username, password, { revokeAllTokens });
        const which = revokeAllTokens
          ? 'every token they had'
          : 'their sign-in sessions and the access tokens made with them';
        console.log(`password changed for ${printable(username)}; revoked ${revoked} tokens: ${which}`);
      });
    });

  const token = program.command('token').description('manage access tokens for scripts and bots');

  const create = define(token, settings, 'create <username>', 'create an access token (printed once)');
  create.command
    .option('--label <text>', 'what the token is for', '')
    .option('--expires <duration>', 'lifetime such as 30d, 12h or never', 'never')
    .option('--scope <scopes>', `what it may do, comma-separated: ${TOKEN_SCOPES.join(', ')}`, 'chat')
    .action(async (username: string, opts) => {
      const ttlMs = parseDuration(opts.expires as string);
      const { label, scopes } = tokenRequest(opts);
      await withServices(create.config(opts), async ({ accounts }) => {
        const owner = await accounts.findByUsername(username);
        const issued = await accounts.createToken(owner.id, {
          kind: 'access',
          label,
          ttlMs,
          scopes,
        });
        console.log(issued.token);
        console.error(
          `token id ${issued.id} for ${username}, ${issued.expiresAt ? `expires ${new Date(issued.expiresAt).toISOString()}` : 'never expires'}`,
        );
      });
    });

  const tokens = define(token, settings, 'list [username]', 'list tokens (never their secrets)');
  tokens.command.action(async (username: string | undefined, opts) => {
    await withServices(tokens.config(opts), async ({ accounts }) => {
      for (const t of await accounts.listTokens(username)) {
        const state = t.revokedAt
          ? 'revoked'
          : t.expiresAt && t.expiresAt < Date.now()
            ? 'expired'
            : 'active';
        console.log([t.id, t.username, t.kind, t.scopes.join(','), state, t.label].map(printable).join('\t'));
      }
    });
  });

  const revoke = define(token, settings, 'revoke <id>', 'revoke a token by id (see "token list")');
  revoke.command.action(async (id: string, opts) => {
    await withServices(revoke.config(opts), async ({ accounts }) => {
      await accounts.revokeToken(id);
      console.log(`revoked ${id}`);
    });
  });

  const invite = program.command('invite').description('invite links for registration policy "invite"');
  const inviteCreate = define(
    invite,
    settings,
    'create <admin>',
    'create an invite link on behalf of an admin (prints the link, or the code without --public-url)',
    ['publicUrl'],
  );
  inviteCreate.command
    .option('--uses <n>', 'how many accounts it can create', '1')
    .option('--expires <duration>', 'lifetime such as 7d', '7d')
    .action(async (adminName: string, opts) => {
      const uses = Number(opts.uses);
      if (!Number.isInteger(uses) || uses < 1 || uses > 1000)
        throw new SwitchboardError('validation_failed', '--uses takes 1–1000');
      const ttlMs = parseDuration(opts.expires as string);
      if (ttlMs === null) throw new SwitchboardError('validation_failed', 'invites must expire');
      const config = inviteCreate.config(opts);
      await withServices(config, async ({ accounts, invites }) => {
        const admin = await accounts.findByUsername(adminName);
        if (!admin.isAdmin) throw new SwitchboardError('forbidden', `${adminName} is not an admin`);
        const created = await invites.create(admin.id, { uses, ttlMs });
        const link = codeLink(config.publicUrl, 'invite', created.code);
        console.log(link ?? created.code);
        console.error(
          `invite for ${uses} account${uses === 1 ? '' : 's'}, expires ${new Date(created.expiresAt).toISOString()}` +
            (link
              ? ''
              : `\nthis is the code: set the server's address with ${flagName('publicUrl')} (or ${envName('publicUrl')}) to print the link, which is <address>/?invite=<code>`),
        );
      });
    });
}

// `access` subcommands: the topic rules of the publish API (docs/publish.md#who-may-publish-and-read).
// They write the same table the running server reads on every request, so a change applies at once.
import type { Command } from 'commander';
import { TopicPattern, TopicPermission, TOPIC_PERMISSIONS, Username } from '@switchboard/protocol';
import { EVERYONE } from '../domain/topicAccess.ts';
import { parse } from '../errors.ts';
import { define, withServices, type Settings } from './accounts.ts';
import { printable, printableJson } from './printable.ts';

/** ntfy's short names for permissions, accepted beside the long ones. */
const SHORT: Record<string, TopicPermission> = {
  rw: 'read-write',
  ro: 'read-only',
  read: 'read-only',
  wo: 'write-only',
  write: 'write-only',
  none: 'deny',
};

/** `everyone` or `*` for the rules that apply to everyone, anonymous callers included. */
function isEveryone(user: string): boolean {
  return user === 'everyone' || user === EVERYONE;
}

export function registerAccessCommands(program: Command, settings: Settings): void {
  const access = program
    .command('access')
    .description('who may publish to and read which topics (rules per user or for everyone, * as wildcard)');

  const set = define(
    access,
    settings,
    'set <user> <topic> <permission>',
    `set a rule: <user> a username or "everyone"; <topic> a name, * for any characters; <permission> ${TOPIC_PERMISSIONS.join(', ')} (or rw, ro, wo)`,
  );
  set.command.action(async (user: string, topic: string, permission: string, opts) => {
    const pattern = parse(TopicPattern, topic, 'topic');
    const chosen = parse(TopicPermission, SHORT[permission] ?? permission, 'permission');
    await withServices(
      set.config(opts),
      async ({ accounts, topicAccess }) => {
        const subject = isEveryone(user)
          ? EVERYONE
          : (await accounts.findByUsername(parse(Username, user, 'user'))).id;
        await topicAccess.set(subject, pattern, chosen);
        console.log(
          `${isEveryone(user) ? 'everyone' : printable(user)} may now ${describe(chosen)} ${pattern}`,
        );
      },
      // Rules for everyone may be set before the server first starts.
      { create: true },
    );
  });

  const list = define(
    access,
    settings,
    'list',
    'list the rules, and the defaults for topics no rule covers',
    ['topicDefaultAccess', 'topicAnonymousAccess'],
  );
  list.command.option('--json', 'print JSON').action(async (opts) => {
    const config = list.config(opts);
    await withServices(config, async ({ topicAccess }) => {
      const rules = await topicAccess.list();
      const defaults = { users: config.topicDefaultAccess, anonymous: config.topicAnonymousAccess };
      if (opts.json) return console.log(printableJson({ rules, defaults }));
      for (const rule of rules)
        console.log(
          [rule.user === EVERYONE ? 'everyone' : rule.user, rule.pattern, rule.permission]
            .map(printable)
            .join('\t'),
        );
      console.log(
        `${rules.length === 0 ? 'no rules; ' : ''}other topics: signed-in users ${defaults.users}, anonymous ${defaults.anonymous}; admins may do anything`,
      );
    });
  });

  const reset = define(
    access,
    settings,
    'reset <user> [topic]',
    "remove a user's rules, or only the one on <topic>",
  );
  reset.command.action(async (user: string, topic: string | undefined, opts) => {
    const pattern = topic === undefined ? undefined : parse(TopicPattern, topic);
    await withServices(reset.config(opts), async ({ accounts, topicAccess }) => {
      const subject = isEveryone(user)
        ? EVERYONE
        : (await accounts.findByUsername(parse(Username, user, 'user'))).id;
      const removed = await topicAccess.remove(subject, pattern);
      console.log(`removed ${removed} rule${removed === 1 ? '' : 's'}`);
    });
  });
}

function describe(permission: TopicPermission): string {
  switch (permission) {
    case 'read-write':
      return 'publish to and read';
    case 'read-only':
      return 'only read';
    case 'write-only':
      return 'only publish to';
    case 'deny':
      return 'neither publish to nor read';
  }
}

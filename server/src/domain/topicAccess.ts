// Who may read and publish to which topics (ARCHITECTURE.md §6): rules per user, or for everyone,
// on topic names with `*` wildcards. A user's own rules come first, then the rules for everyone,
// then the server's default (one for signed-in users, one for anonymous callers, deny by default);
// among matching rules the most specific pattern wins. Admins may do anything.
import { SwitchboardError, type TopicPermission } from '@switchboard/protocol';
import { systemClock, type Clock } from '../clock.ts';
import type { Store } from '../store/database.ts';

/** The subject of the rules that apply to everyone, anonymous callers included. */
export const EVERYONE = '*';

export interface TopicCaller {
  id: string;
  isAdmin: boolean;
}

export interface TopicAccessDefaults {
  /** For signed-in users no rule matches. */
  user: TopicPermission;
  /** For anonymous callers no rule matches. */
  anonymous: TopicPermission;
}

export interface TopicRule {
  /** A username, or `*` for everyone. */
  user: string;
  pattern: string;
  permission: TopicPermission;
}

export type TopicAction = 'read' | 'write';

/** A rule as stored: its subject is a user's id, or EVERYONE. */
interface StoredRule {
  subject: string;
  pattern: string;
  permission: TopicPermission;
}

const ALLOWS: Record<TopicPermission, readonly TopicAction[]> = {
  'read-write': ['read', 'write'],
  'read-only': ['read'],
  'write-only': ['write'],
  deny: [],
};

export class TopicAccess {
  constructor(
    private readonly db: Store,
    private readonly defaults: TopicAccessDefaults,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The permission `caller` (null: anonymous) has on `topic`. */
  async permission(caller: TopicCaller | null, topic: string): Promise<TopicPermission> {
    if (caller?.isAdmin) return 'read-write';
    return this.resolve(caller, topic, await this.rulesOf(caller ? [caller.id] : []));
  }

  /** Which of `callers` may read `topic`: their ids, from one read of the rules. */
  async readers(callers: readonly TopicCaller[], topic: string): Promise<Set<string>> {
    const rules = await this.rulesOf(callers.filter((c) => !c.isAdmin).map((c) => c.id));
    return new Set(
      callers
        .filter((c) => c.isAdmin || ALLOWS[this.resolve(c, topic, rules)].includes('read'))
        .map((c) => c.id),
    );
  }

  /** The rules of these users and those for everyone. */
  private rulesOf(userIds: readonly string[]): Promise<StoredRule[]> {
    return this.db
      .selectFrom('topic_access')
      .select(['subject', 'pattern', 'permission'])
      .where('subject', 'in', [...userIds, EVERYONE])
      .execute();
  }

  /** A non-admin caller's permission on `topic` under `rules` (which hold theirs and everyone's). */
  private resolve(caller: TopicCaller | null, topic: string, rules: readonly StoredRule[]): TopicPermission {
    for (const subject of caller ? [caller.id, EVERYONE] : [EVERYONE]) {
      const best = rules
        .filter((rule) => rule.subject === subject && matches(rule.pattern, topic))
        .sort((a, b) => specificity(b.pattern) - specificity(a.pattern))[0];
      if (best) return best.permission;
    }
    return caller ? this.defaults.user : this.defaults.anonymous;
  }

  /**
   * Refuses unless `caller` may `action` every topic: anonymous callers get `unauthorized` (signing
   * in may help), signed-in ones `forbidden`.
   */
  async require(caller: TopicCaller | null, topics: readonly string[], action: TopicAction): Promise<void> {
    for (const topic of topics) {
      if (ALLOWS[await this.permission(caller, topic)].includes(action)) continue;
      const verb = action === 'read' ? 'read' : 'publish to';
      if (!caller)
        throw new SwitchboardError(
          'unauthorized',
          `anonymous callers may not ${verb} ${topic}: send a token or a username and password`,
        );
      throw new SwitchboardError('forbidden', `you may not ${verb} ${topic}`);
    }
  }

  /** Sets (or replaces) the rule for `userId` (or EVERYONE) on `pattern`. */
  async set(subject: string, pattern: string, permission: TopicPermission): Promise<void> {
    await this.db
      .insertInto('topic_access')
      .values({ subject, pattern, permission, created_at: this.clock() })
      .onConflict((oc) => oc.columns(['subject', 'pattern']).doUpdateSet({ permission }))
      .execute();
  }

  /** Removes the rules of `subject`, or only the one on `pattern`; resolves how many went. */
  async remove(subject: string, pattern?: string): Promise<number> {
    let query = this.db.deleteFrom('topic_access').where('subject', '=', subject);
    if (pattern !== undefined) query = query.where('pattern', '=', pattern);
    return Number((await query.executeTakeFirst()).numDeletedRows);
  }

  /** Every rule, by user (everyone's last) and pattern. */
  async list(): Promise<TopicRule[]> {
    const rows = await this.db
      .selectFrom('topic_access')
      .leftJoin('users', 'users.id', 'topic_access.subject')
      .select(['users.username', 'topic_access.subject', 'topic_access.pattern', 'topic_access.permission'])
      .execute();
    return rows
      .map((row) => ({ user: row.username ?? EVERYONE, pattern: row.pattern, permission: row.permission }))
      .sort(
        (a, b) =>
          Number(a.user === EVERYONE) - Number(b.user === EVERYONE) ||
          a.user.localeCompare(b.user) ||
          a.pattern.localeCompare(b.pattern),
      );
  }
}

/** Whether a topic name matches a rule's pattern, where `*` is any run of characters. */
export function matches(pattern: string, topic: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(topic);
}

/** An exact name beats any pattern; among patterns, the one with more fixed characters. */
function specificity(pattern: string): number {
  return pattern.includes('*') ? pattern.replace(/\*/g, '').length : Number.MAX_SAFE_INTEGER;
}

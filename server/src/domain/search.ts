// Search: what the caller asked for (words, operators in `q`, filters), checked against what they
// may read, answered by the store's search index (store/searchIndex.ts) and returned as messages.
import {
  dayBounds,
  parseSearchQuery,
  SwitchboardError,
  utcDayStart,
  type SearchPage,
  type SearchRequest,
  type User,
} from '@switchboard/protocol';
import type { Store } from '../store/database.ts';
import { searchMessages, type IndexQuery } from '../store/searchIndex.ts';
import type { Channels } from './channels.ts';
import { hydrate } from './messageRows.ts';

type Actor = Pick<User, 'id' | 'isAdmin'>;

export const DEFAULT_SEARCH_PAGE = 20;

const EMPTY: SearchPage = { results: [], nextCursor: null };

export class Search {
  constructor(
    private readonly db: Store,
    private readonly channels: Channels,
  ) {}

  async search(actor: Actor, req: SearchRequest): Promise<SearchPage> {
    const parsed = parseSearchQuery(req.q);
    const hasFilter =
      req.channel !== undefined ||
      req.from !== undefined ||
      req.before !== undefined ||
      req.after !== undefined ||
      parsed.channel !== undefined ||
      parsed.from !== undefined ||
      parsed.before !== undefined ||
      parsed.after !== undefined ||
      parsed.hasFile;
    if (parsed.terms.length === 0 && !hasFilter)
      throw new SwitchboardError('validation_failed', 'q: give words to search for, or a filter');

    // An explicit channel id answers like history does: one the caller cannot read does not exist.
    if (req.channel !== undefined) await this.channels.requireReadable(actor, req.channel);
    const named = parsed.channel === undefined ? undefined : await this.channelNamed(parsed.channel);
    if (named === null || (named !== undefined && req.channel !== undefined && named !== req.channel))
      return EMPTY;
    const authorNames = [req.from, parsed.from].filter((name) => name !== undefined);
    if (new Set(authorNames).size > 1) return EMPTY;
    const authorId = authorNames[0] === undefined ? undefined : await this.userNamed(authorNames[0]);
    if (authorId === null) return EMPTY;

    const days = dayBounds(parsed, utcDayStart);
    const query: IndexQuery = {
      readerId: actor.id,
      terms: parsed.terms,
      channelId: req.channel ?? named,
      authorId,
      before: minOf(req.before, days.before),
      after: maxOf(req.after, days.after),
      withFiles: parsed.hasFile,
      limit: req.limit ?? DEFAULT_SEARCH_PAGE,
      cursor: req.cursor,
    };
    const page = await searchMessages(this.db, query);
    const messages = await hydrate(this.db, page.rows);
    const names = await this.channelNames([...new Set(messages.map((m) => m.channelId))]);
    return {
      results: messages.map((message) => ({
        message,
        channelId: message.channelId,
        channelName: names.get(message.channelId) ?? '',
      })),
      nextCursor: page.nextCursor,
    };
  }

  /** What people read for each channel: its display name; none for a direct conversation. */
  private async channelNames(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('channels')
      .select(['id', 'kind', 'name', 'display_name'])
      .where('id', 'in', ids)
      .execute();
    return new Map(rows.map((r) => [r.id, r.kind === 'direct' ? '' : r.display_name || r.name]));
  }

  /** The id of the public or private channel with this name; null when there is none. */
  private async channelNamed(name: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('channels')
      .select('id')
      .where('name', '=', name)
      .where('kind', '<>', 'direct')
      .executeTakeFirst();
    return row?.id ?? null;
  }

  private async userNamed(username: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirst();
    return row?.id ?? null;
  }
}

const minOf = (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);
const maxOf = (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : Math.max(a, b);

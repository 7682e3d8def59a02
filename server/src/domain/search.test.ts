// Search against a real server and its real indexes (SQLite's or PostgreSQL's), over both transports: what is found
// (words, prefixes, Korean substrings), who may find it (now, not when it was indexed), filters,
// paging, and the index following every change (edit, delete, retention).
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { newId, type ChannelSummary, type SearchPage, type SendAck } from '@switchboard/protocol';
import {
  api,
  createChannelWith,
  createConnectedUser,
  startTestServer,
  TEST_DATABASE,
  type ConnectedUser,
  type Transport,
} from '../../../tests/support/server.ts';
import { manualClock } from '../../../tests/support/clock.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';

const { server, ok, errorCode, send } = useTestServer();

const search = (via: Transport, who: ConnectedUser, q: string, filters = {}, on = server) =>
  ok<SearchPage>(via, who, 'search', { q, ...filters }, on);

const texts = (page: SearchPage) => page.results.map((r) => r.message.text);

/**
 * Rows of a full-text index that match `query` (what is left in it, whoever may read it). On
 * PostgreSQL the indexes are expression indexes over the rows not deleted: the same predicates.
 */
async function indexed(table: 'message_words' | 'message_grams', query: string, on = server) {
  const match =
    TEST_DATABASE === 'sqlite'
      ? sql`select count(*) as n from ${sql.table(table)} where ${sql.ref(table)} match ${query}`
      : table === 'message_words'
        ? sql`select count(*) as n from messages where deleted_at is null
            and to_tsvector('simple', switchboard_fold(text)) @@ plainto_tsquery('simple', ${query})`
        : sql`select count(*) as n from messages where deleted_at is null and text ilike ${`%${query}%`}`;
  const { rows } = await match.execute(on.ctx.db);
  return Number((rows[0] as { n: number }).n);
}

describe.each<Transport>(['rest', 'socket'])('search over %s', (via) => {
  it('finds English by word and by prefix, newest first, and not by the middle of a word', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await createChannelWith(server, via, alice);
    const tag = `zq${via}`;
    await send(via, alice, channel.id, `${tag} deploy started`);
    await send(via, alice, channel.id, `${tag} the deployment failed`);
    await send(via, alice, channel.id, `${tag} redeploy tomorrow`);
    expect(texts(await search(via, alice, `${tag} deploy`))).toEqual([
      `${tag} the deployment failed`,
      `${tag} deploy started`,
    ]);
    expect(texts(await search(via, alice, `${tag} DEPLOYM`))).toEqual([`${tag} the deployment failed`]);
    expect(texts(await search(via, alice, `"${tag} deploy started"`))).toEqual([`${tag} deploy started`]);
  });

  it('finds Korean by any substring of three characters or more, and by a short word start', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await createChannelWith(server, via, alice);
    await send(via, alice, channel.id, `${via} 오늘 서버점검이 있습니다`);
    await send(via, alice, channel.id, `${via} 회의를 내일로 옮깁니다`);
    expect(texts(await search(via, alice, `${via} 점검이`))).toEqual([`${via} 오늘 서버점검이 있습니다`]);
    expect(texts(await search(via, alice, `${via} 회의`))).toEqual([`${via} 회의를 내일로 옮깁니다`]);
    expect(texts(await search(via, alice, `${via} 서`))).toEqual([`${via} 오늘 서버점검이 있습니다`]);
  });

  it('searches public channels and channels the user is in, never a private one they are not in', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const open = await createChannelWith(server, via, alice);
    const secret = await createChannelWith(server, via, alice, [bob], 'private');
    const word = `quokka${via}`;
    await send(via, alice, open.id, `${word} in public`);
    await send(via, alice, secret.id, `${word} in private`);
    const eve = await createConnectedUser(server, 'eve');
    // Eve joined nothing: the public channel is readable to her, the private one is not.
    expect(texts(await search(via, eve, word))).toEqual([`${word} in public`]);
    expect(texts(await search(via, bob, word))).toEqual([`${word} in private`, `${word} in public`]);
    // Asking for the private channel by id or by name does not reveal it either.
    expect(await errorCode(via, eve, 'search', { q: word, channel: secret.id })).toBe('not_found');
    expect(texts(await search(via, eve, `${word} in:#${secret.name}`))).toEqual([]);

    // Membership is checked when searching: once Bob leaves, the private channel's messages are gone.
    await ok(via, bob, 'channel.leave', { channelId: secret.id });
    expect(texts(await search(via, bob, word))).toEqual([`${word} in public`]);
  });

  it('filters by channel, author, date and pages with a cursor', async () => {
    const clock = manualClock(Date.UTC(2026, 5, 10, 12));
    const own = await startTestServer({}, { clock: clock.now });
    try {
      const alice = await createConnectedUser(own, 'alice');
      const bob = await createConnectedUser(own, 'bob');
      const first = await createChannelWith(own, via, alice, [bob]);
      const second = await createChannelWith(own, via, alice, [bob]);
      await send(via, alice, first.id, 'lunch at noon', {}, own);
      clock.advance(24 * 60 * 60 * 1000);
      await send(via, bob, first.id, 'lunch moved', {}, own);
      await send(via, bob, second.id, 'lunch elsewhere', {}, own);
      const find = (q: string, filters = {}) => search(via, alice, q, filters, own).then(texts);

      expect(await find('lunch')).toEqual(['lunch elsewhere', 'lunch moved', 'lunch at noon']);
      expect(await find(`lunch in:#${first.name}`)).toEqual(['lunch moved', 'lunch at noon']);
      expect(await find('lunch', { channel: second.id })).toEqual(['lunch elsewhere']);
      expect(await find(`lunch from:@${bob.user.username}`)).toEqual(['lunch elsewhere', 'lunch moved']);
      expect(await find('lunch', { from: alice.user.username })).toEqual(['lunch at noon']);
      expect(await find('lunch before:2026-06-11')).toEqual(['lunch at noon']);
      expect(await find('lunch after:2026-06-10')).toEqual(['lunch elsewhere', 'lunch moved']);
      expect(await find('lunch', { before: Date.UTC(2026, 5, 11) })).toEqual(['lunch at noon']);
      // Filters alone are a search too.
      expect(await find(`from:@${alice.user.username}`)).toEqual(['lunch at noon']);
      expect(await find('lunch from:@nobody-here')).toEqual([]);

      const page1 = await search(via, alice, 'lunch', { limit: 2 }, own);
      expect(texts(page1)).toEqual(['lunch elsewhere', 'lunch moved']);
      expect(page1.nextCursor).not.toBeNull();
      const page2 = await search(via, alice, 'lunch', { limit: 2, cursor: page1.nextCursor }, own);
      expect(texts(page2)).toEqual(['lunch at noon']);
      expect(page2.nextCursor).toBeNull();
      expect(page2.results[0]!.channelId).toBe(first.id);
    } finally {
      await own.close();
    }
  });

  it('finds thread replies, and in:# takes a channel’s link name whatever its display name', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await ok<ChannelSummary>(via, alice, 'channel.create', {
      displayName: `개발팀 ${via}`,
      visibility: 'public',
    });
    expect(channel.name).toMatch(/^c-[0-9a-f]{8}$/);
    const root = await send(via, alice, channel.id, `quokka plans ${via}`);
    const reply = await ok<SendAck>(via, alice, 'message.send', {
      channelId: channel.id,
      clientId: newId(),
      text: `quokka reply ${via}`,
      parentId: root.id,
    });
    const found = await search(via, alice, `quokka ${via} in:#${channel.name}`);
    expect(found.results.map((r) => [r.message.id, r.message.parentId, r.channelId])).toEqual([
      [reply.id, root.id, channel.id],
      [root.id, null, channel.id],
    ]);
    // Someone who has not joined the channel reads its name in the result.
    const eve = await createConnectedUser(server, 'eve');
    const seen = await search(via, eve, `quokka plans ${via}`);
    expect(seen.results.map((r) => r.channelName)).toEqual([`개발팀 ${via}`]);
    // A direct conversation's result names none: the apps name it after the other person.
    const dm = await ok<ChannelSummary>(via, alice, 'direct.open', { userId: eve.user.id });
    await send(via, alice, dm.id, `quokka direct ${via}`);
    const direct = await search(via, eve, `quokka direct ${via}`);
    expect(direct.results.map((r) => [r.channelId, r.channelName])).toEqual([[dm.id, '']]);
  });

  it('follows edits and deletes: old and deleted text is gone from the index', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await createChannelWith(server, via, alice);
    const before = `walrus${via}`;
    const after = `narwhal${via}`;
    const gone = `pelican${via}`;
    const edited = await send(via, alice, channel.id, `${before} spotted`);
    const deleted = await send(via, alice, channel.id, `${gone} 바다새를 봤다`);
    await ok(via, alice, 'message.edit', { messageId: edited.id, text: `${after} spotted` });
    await ok(via, alice, 'message.delete', { messageId: deleted.id });

    expect(texts(await search(via, alice, before))).toEqual([]);
    expect(texts(await search(via, alice, after))).toEqual([`${after} spotted`]);
    expect(texts(await search(via, alice, gone))).toEqual([]);
    expect(await indexed('message_words', before)).toBe(0);
    expect(await indexed('message_words', gone)).toBe(0);
    expect(await indexed('message_grams', '바다새')).toBe(0);
    expect(await indexed('message_words', after)).toBe(1);
  });

  it('history around a seq shows a result in context, with what lies on either side', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await createChannelWith(server, via, alice);
    for (let n = 1; n <= 9; n++) await send(via, alice, channel.id, `line ${n}`);
    const page = await ok(via, alice, 'channel.history', { channelId: channel.id, around: 5, limit: 4 });
    expect(page.messages.map((m: { seq: number }) => m.seq)).toEqual([3, 4, 5, 6]);
    expect(page).toMatchObject({ hasMore: true, hasNewer: true });
    const edge = await ok(via, alice, 'channel.history', { channelId: channel.id, around: 9, limit: 4 });
    expect(edge.messages.map((m: { seq: number }) => m.seq)).toEqual([7, 8, 9]);
    expect(edge).toMatchObject({ hasMore: true, hasNewer: false });
    expect(
      await errorCode(via, alice, 'channel.history', { channelId: channel.id, around: 5, before: 3 }),
    ).toBe('validation_failed');
  });

  it('refuses an empty search and a cursor it did not give out', async () => {
    const alice = await createConnectedUser(server, 'alice');
    expect(await errorCode(via, alice, 'search', { q: '  ' })).toBe('validation_failed');
    expect(await errorCode(via, alice, 'search', { q: 'x', cursor: 'nope' })).toBe('validation_failed');
    expect(await errorCode(via, alice, 'search', { q: 'x', limit: 0 })).toBe('validation_failed');
    // Punctuation alone and unknown operators are searched as what they are, and find nothing here.
    expect(texts(await search(via, alice, '!!!'))).toEqual([]);
    expect(texts(await search(via, alice, 'colour:red'))).toEqual([]);
  });
});

describe('search and retention', () => {
  it('a pruned message leaves the index with it', async () => {
    const clock = manualClock(Date.now());
    const own = await startTestServer({}, { clock: clock.now });
    try {
      const alice = await createConnectedUser(own, 'alice');
      const channel = await createChannelWith(own, 'rest', alice);
      await send('rest', alice, channel.id, 'albatross 갈매기떼', {}, own);
      clock.advance(2);
      await own.ctx.messages.pruneOlderThan(clock.now() - 1);
      expect(await indexed('message_words', 'albatross', own)).toBe(0);
      expect(await indexed('message_grams', '갈매기', own)).toBe(0);
    } finally {
      await own.close();
    }
  });

  it('REST needs q and answers the documented shape', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const missing = await api(server.url, 'GET', '/api/v1/search', { token: alice.token });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('validation_failed');
    const page = await api(server.url, 'GET', '/api/v1/search?q=nothing-matches-this', {
      token: alice.token,
    });
    expect(page.status).toBe(200);
    expect(page.body).toEqual({ results: [], nextCursor: null });
  });
});

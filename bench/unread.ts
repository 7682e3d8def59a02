// Unread counts of a member who joined a 200,000-message channel and never read it: what every
// `sync` and `GET /api/v1/me/channels` pays to build that member's channel summaries. Switchboard
// reads them from counters kept with every change (O(1) per channel). Two baselines on the same
// database in the same run: the count up to UNREAD_COUNT_CAP + 1 the server ran before the counters
// (a scan of up to 1,000 index entries per channel), and the exact count it ran before that (every
// unread row). A second row does the same for a member who is up to date, where all should cost alike.
import { sql } from 'kysely';
import { UNREAD_COUNT_CAP } from '@switchboard/protocol';
import { resolveConfig } from '../server/src/config.ts';
import { silentNotifier } from '../server/src/domain/notifier.ts';
import { openServices } from '../server/src/server.ts';
import { row, type Benchmark } from './support/report.ts';
import { appendMessages, benchDataDir, seedDataDir, type Services } from './support/servers.ts';
import { median, nowMs, round } from './support/stats.ts';

const MESSAGES = 200_000;
const RUNS = 200;

/**
 * The summaries as the server built them before the counters: unread counted from history per
 * channel, up to `cap` + 1 rows (the count before the counters), or all of them (before the cap).
 */
async function countedSummaries(services: Services, userId: string, cap?: number) {
  const memberships = await services.db
    .selectFrom('channel_members')
    .innerJoin('channels', 'channels.id', 'channel_members.channel_id')
    .selectAll('channels')
    .select('channel_members.read_seq')
    .where('channel_members.user_id', '=', userId)
    .orderBy('channels.name')
    .execute();
  return Promise.all(
    memberships.map(async (channel) => {
      const unread = await services.db
        .selectFrom((eb) => {
          const rows = eb
            .selectFrom('messages')
            .select('seq')
            .where('channel_id', '=', channel.id)
            .where('seq', '>', channel.read_seq)
            .where('deleted_at', 'is', null)
            .where('author_id', '<>', userId);
          return (cap === undefined ? rows : rows.limit(cap + 1)).as('unread');
        })
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const mentions = await services.db
        .selectFrom('mentions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .where('channel_id', '=', channel.id)
        .where('seq', '>', channel.read_seq)
        .executeTakeFirstOrThrow();
      const n = Number(unread.n);
      return {
        id: channel.id,
        unreadCount: cap === undefined ? n : Math.min(n, cap),
        mentionCount: Number(mentions.n),
      };
    }),
  );
}

const exactSummaries = (services: Services, userId: string) => countedSummaries(services, userId);
const cappedSummaries = (services: Services, userId: string) =>
  countedSummaries(services, userId, UNREAD_COUNT_CAP);

/** Median milliseconds of `work` over RUNS runs, after a few unmeasured ones. */
async function timed(work: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 5; i++) await work();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = nowMs();
    await work();
    samples.push(nowMs() - started);
  }
  return median(samples);
}

export const unread: Benchmark = {
  name: 'unread',
  description: `channel summaries of a member who never read a ${MESSAGES.toLocaleString('en-US')}-message channel`,
  async run() {
    const dataDir = benchDataDir();
    const { reader, upToDate } = await seedDataDir(dataDir, 'standard', async (services) => {
      const author = await services.accounts.createUser({ username: 'author', password: 'bench-password' });
      const reader = await services.accounts.createUser({ username: 'reader', password: 'bench-password' });
      const upToDate = await services.accounts.createUser({
        username: 'current',
        password: 'bench-password',
      });
      const channel = await services.channels.create(
        { id: author.id, isAdmin: true },
        { name: 'long', visibility: 'public' },
      );
      for (const member of [reader, upToDate]) await services.channels.join(member, channel.id);
      await appendMessages(
        services,
        channel.id,
        MESSAGES,
        () => author.id,
        (n) => `message ${n}`,
      );
      // appendMessages leaves every member at the head: the reader has read nothing (cursor and list
      // place at the start; nothing after it is deleted or theirs).
      await sql`update channel_members set read_seq = 0, read_ord = 0, hidden_after = 0
        where user_id = ${reader.id}`.execute(services.db);
      return { reader, upToDate };
    });

    const services = await openServices(resolveConfig({ flags: { dataDir } }), { notifier: silentNotifier });
    try {
      const [capped] = await services.channels.summariesFor(reader.id);
      const [exact] = await exactSummaries(services, reader.id);
      const [scanned] = await cappedSummaries(services, reader.id);
      if (
        !capped?.unreadCapped ||
        capped.unreadCount !== UNREAD_COUNT_CAP ||
        scanned?.unreadCount !== UNREAD_COUNT_CAP ||
        exact?.unreadCount !== MESSAGES
      )
        throw new Error(
          `unexpected counts: counters ${JSON.stringify(capped)}, capped scan ${JSON.stringify(scanned)}, exact ${JSON.stringify(exact)}`,
        );

      const measure = async (userId: string) => ({
        switchboard: await timed(() => services.channels.summariesFor(userId)),
        cappedScan: await timed(() => cappedSummaries(services, userId)),
        baseline: await timed(() => exactSummaries(services, userId)),
      });
      const neverRead = await measure(reader.id);
      const current = await measure(upToDate.id);
      /** One row per baseline, each beside the same Switchboard figure. */
      const rowsOf = (label: string, ms: typeof neverRead) => [
        row(
          label,
          'ms p50',
          round(ms.switchboard, 3),
          round(ms.cappedScan, 3),
          'count up to the cap (before the counters)',
        ),
        row(label, 'ms p50', round(ms.switchboard, 3), round(ms.baseline, 3), 'exact count (before the cap)'),
      ];
      return {
        rows: [...rowsOf('summaries, never read', neverRead), ...rowsOf('summaries, up to date', current)],
        targets: [
          {
            description: 'a never-read 200,000-message channel costs no more than 3× an up-to-date one',
            met: neverRead.switchboard <= 3 * current.switchboard,
            actual: `${round(neverRead.switchboard, 3)} ms vs ${round(current.switchboard, 3)} ms`,
          },
        ],
        details: { messages: MESSAGES, runs: RUNS, neverRead, current },
      };
    } finally {
      await services.db.destroy();
    }
  },
};

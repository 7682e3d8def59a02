// Search over 1,000,000 stored messages of mixed English and Korean text, through the real domain
// (Search.search: parse, access check, index query, messages with mentions), beside a
// `LIKE '%…%'` scan with the same access rule, newest first, as the baseline. Then the other
// design measured on the same text: one trigram index for everything (docs/decisions.md, "Search").
// Last, what the index costs a send: sends per second through the real group commit with the
// index's triggers and without them, alternated on the same database.
//
// The messages go straight into SQLite (prepared inserts in large transactions, the index's
// triggers firing as they would for sends), so seeding takes about a minute, not hours.
// SWITCHBOARD_SEARCH_BENCH_MESSAGES sets another count for a quick look.
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { newId, type User } from '@switchboard/protocol';
import { resolveConfig } from '../server/src/config.ts';
import { silentNotifier } from '../server/src/domain/notifier.ts';
import { openServices } from '../server/src/server.ts';
import { row, type Benchmark, type Row, type Target } from './support/report.ts';
import { benchDataDir, seedDataDir, type Services } from './support/servers.ts';
import { nowMs, round } from './support/stats.ts';

const MESSAGES = Number(process.env.SWITCHBOARD_SEARCH_BENCH_MESSAGES ?? 1_000_000);
const CHANNELS = 100;
const AUTHORS = 40;
/** The searcher is in this many of the channels; half of all channels are public. */
const MEMBER_OF = 20;
const QUERIES = 200;
const BASELINE_QUERIES = 60;
const PAGE = 20;
const SENDS = 5_000;
const SEND_CONCURRENCY = 50;
const SEND_ROUNDS = 4;

/** A small, fast PRNG (mulberry32), so every run stores the same text. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ENGLISH =
  'the a to and of is in it for on that this we be with are at deploy build server release test fix bug merge review meeting lunch today tomorrow please thanks update issue ticket customer order shipped delayed invoice payment backup monitoring alert disk memory latency database migration schema index query cache restart rollback config staging production incident report dashboard metrics error warning timeout network proxy certificate password account login session token channel message notification search upload file image document draft plan sprint roadmap design feedback question answer weekend holiday morning evening coffee team project client vendor contract budget forecast quarter sales marketing support docs onboarding hiring interview laptop keyboard printer office remote call video slides agenda notes summary decision'.split(
    ' ',
  );
const KOREAN_NOUNS =
  '서버 배포 회의 점심 오늘 내일 고객 주문 배송 결제 백업 장애 알림 디스크 메모리 데이터베이스 마이그레이션 검색 파일 이미지 문서 일정 보고서 대시보드 오류 경고 네트워크 인증서 비밀번호 계정 로그인 채널 메시지 프로젝트 팀 디자인 피드백 질문 답변 주말 휴가 아침 저녁 커피 회사 사무실 화상회의 자료 요약 결정 계획 예산 매출 지원 채용 면접 노트북 점검 업데이트 릴리스 테스트 버그 리뷰 모니터링'.split(
    ' ',
  );
const PARTICLES = ['', '이', '가', '을', '를', '은', '는', '에', '에서', '으로', '과', '와', '도'];
const KOREAN_ENDINGS = [
  '합니다',
  '했습니다',
  '할게요',
  '됐어요',
  '입니다',
  '있습니다',
  '없습니다',
  '해주세요',
];
const SYLLABLES =
  '가나다라마바사아자차카타파하고노도로모보소오조초코토포호구누두루무부수우주추쿠투푸후기니디리미비시이지치키티피히';

/** The vocabulary's long tail: made-up words, so rare terms exist as they do in real chat. */
function tail(count: number, make: () => string): string[] {
  return [...new Set(Array.from({ length: count }, make))];
}

interface Corpus {
  english: string[];
  korean: string[];
  message: () => string;
}

export function corpus(random: () => number): Corpus {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const englishTail = tail(20_000, () =>
    Array.from({ length: 4 + Math.floor(random() * 6) }, () => pick([...letters])).join(''),
  );
  const koreanTail = tail(8_000, () =>
    Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick([...SYLLABLES])).join(''),
  );
  const english = [...ENGLISH, ...englishTail];
  const korean = [...KOREAN_NOUNS, ...koreanTail];
  // Zipf-like: low ranks far more often than the tail.
  const zipf = (list: readonly string[]) => list[Math.floor(list.length * random() ** 3)]!;
  const message = () => {
    const words = 4 + Math.floor(random() * 14);
    if (random() < 0.7) return Array.from({ length: words }, () => zipf(english)).join(' ');
    const parts = Array.from({ length: Math.ceil(words / 2) }, () => zipf(korean) + pick(PARTICLES));
    // Korean chat mixes in English words and ends on a verb.
    if (random() < 0.3) parts.splice(1, 0, zipf(english));
    return `${parts.join(' ')} ${pick(KOREAN_ENDINGS)}`;
  };
  return { english, korean, message };
}

interface World {
  searcher: User;
  authorIds: string[];
  channelIds: string[];
}

/** Users, channels and MESSAGES messages spread over the channels, inserted straight into SQLite. */
async function seed(services: Services, file: string, random: () => number, text: () => string) {
  const authors: User[] = [];
  for (let i = 0; i < AUTHORS; i++)
    authors.push(await services.accounts.createUser({ username: `author-${i}`, password: 'bench-password' }));
  const searcher = await services.accounts.createUser({ username: 'searcher', password: 'bench-password' });
  const channelIds: string[] = [];
  for (let i = 0; i < CHANNELS; i++) {
    const owner = authors[i % AUTHORS]!;
    const channel = await services.channels.create(
      { id: owner.id, isAdmin: true },
      { name: `c${i}`, visibility: i % 2 === 0 ? 'public' : 'private' },
    );
    if (i < MEMBER_OF) await services.channels.invite(owner, channel.id, searcher.id);
    channelIds.push(channel.id);
  }
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insert = db.prepare(
    `insert into messages (id, channel_id, seq, change_seq, author_id, client_id, text, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const heads = new Array<number>(CHANNELS).fill(0);
  const firstTs = Date.now() - MESSAGES * 1000;
  const started = nowMs();
  const batch = db.transaction((from: number, to: number) => {
    for (let n = from; n < to; n++) {
      const c = Math.floor(random() * CHANNELS);
      const seq = ++heads[c]!;
      const id = newId();
      insert.run(
        id,
        channelIds[c],
        seq,
        seq,
        authors[Math.floor(random() * AUTHORS)]!.id,
        id,
        text(),
        firstTs + n * 1000,
      );
    }
  });
  for (let from = 0; from < MESSAGES; from += 50_000) batch(from, Math.min(MESSAGES, from + 50_000));
  const update = db.prepare('update channels set head_seq = ? where id = ?');
  db.transaction(() => channelIds.forEach((id, c) => update.run(heads[c], id)))();
  const seedSeconds = (nowMs() - started) / 1000;
  db.close();
  const world: World = { searcher, authorIds: authors.map((a) => a.id), channelIds };
  return { world, seedSeconds };
}

interface Timing {
  p50: number;
  p99: number;
  max: number;
  hits: number;
}

async function latencies(terms: readonly string[], runs: number, query: (term: string) => Promise<number>) {
  for (const term of terms.slice(0, 5)) await query(term);
  const samples: number[] = [];
  let hits = 0;
  for (let i = 0; i < runs; i++) {
    const started = nowMs();
    hits += (await query(terms[i % terms.length]!)) > 0 ? 1 : 0;
    samples.push(nowMs() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (p: number) => samples[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)]!;
  return { p50: at(50), p99: at(99), max: samples[samples.length - 1]!, hits } satisfies Timing;
}

/** The baseline: a scan with LIKE, the same access rule and order, one page. */
async function likeScan(services: Services, readerId: string, term: string): Promise<number> {
  const pattern = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const { rows } = await sql`select m.* from messages m
    where m.text like ${pattern} escape '\\' and m.deleted_at is null
      and (m.channel_id in (select id from channels where kind = 'public')
        or m.channel_id in (select channel_id from channel_members where user_id = ${readerId}))
    order by m.rowid desc limit ${PAGE + 1}`.execute(services.db);
  return rows.length;
}

/** Design (a): one trigram index over every message, built beside the real ones and queried alike. */
async function trigramOnly(services: Services, readerId: string, term: string): Promise<number> {
  if ([...term].length < 3) return likeScan(services, readerId, term);
  const { rows } = await sql`select m.* from cmp_grams d join messages m on m.rowid = d.rowid
    where d.cmp_grams match ${`"${term}"`} and m.deleted_at is null
      and (m.channel_id in (select id from channels where kind = 'public')
        or m.channel_id in (select channel_id from channel_members where user_id = ${readerId}))
    order by d.rowid desc limit ${PAGE + 1}`.execute(services.db);
  return rows.length;
}

async function indexBytes(services: Services, prefix: string): Promise<number> {
  const { rows } = await sql<{ bytes: number }>`select coalesce(sum(pgsize), 0) as bytes from dbstat
    where name like ${`${prefix}%`}`.execute(services.db);
  return Number(rows[0]!.bytes);
}

const TRIGGERS = ['messages_search_insert', 'messages_search_update', 'messages_search_delete'];

/** Sends per second through Messages.send (group commit), SEND_CONCURRENCY at a time. */
async function sendRate(services: Services, world: World, text: () => string) {
  const actor = { id: world.authorIds[0]!, isAdmin: true };
  // The first author created channel 0 and is in it.
  const channelId = world.channelIds[0]!;
  let next = 0;
  const started = nowMs();
  await Promise.all(
    Array.from({ length: SEND_CONCURRENCY }, async () => {
      while (next < SENDS) {
        next += 1;
        await services.messages.send(actor, { channelId, clientId: newId(), text: text() });
      }
    }),
  );
  return SENDS / ((nowMs() - started) / 1000);
}

export const search: Benchmark = {
  name: 'search',
  description: `search latency over ${MESSAGES.toLocaleString('en-US')} messages (English and Korean) and the write cost of the index`,
  async run() {
    const dataDir = benchDataDir();
    const random = prng(0x5ea2c4);
    const text = corpus(random);
    const { world, seedSeconds } = await seedDataDir(dataDir, 'standard', (services) =>
      seed(services, `${dataDir}/switchboard.db`, random, text.message),
    );
    const services = await openServices(resolveConfig({ flags: { dataDir } }), { notifier: silentNotifier });
    try {
      const searcher = world.searcher;
      const ask = async (q: string) =>
        (await services.search.search(searcher, { q, limit: PAGE })).results.length;
      const pick = (list: readonly string[], from: number, to: number, n: number) =>
        Array.from(
          { length: n },
          () => list[from + Math.floor(random() * (Math.min(to, list.length) - from))]!,
        );
      // Query sets: common and rare English words, prefixes, Korean substrings from inside words
      // (what only a substring index finds), and Korean two-syllable word starts.
      const words = [...pick(text.english, 0, 60, 40), ...pick(text.english, 60, 20_000, 60)];
      const prefixes = pick(text.english, 60, 20_000, 100).map((w) => w.slice(0, 4));
      const koreanLong = text.korean.filter((w) => [...w].length >= 4);
      const substrings = pick(koreanLong, 0, koreanLong.length, 100).map((w) => [...w].slice(1, 4).join(''));
      const koreanShort = pick(text.korean, 0, text.korean.length, 100).map((w) =>
        [...w].slice(0, 2).join(''),
      );

      const sets = [
        { name: 'English word', terms: words, target: 50 },
        { name: 'English prefix (4 letters)', terms: prefixes, target: 50 },
        { name: 'Korean substring (3 syllables)', terms: substrings, target: 200 },
        { name: 'Korean word start (2 syllables)', terms: koreanShort, target: 200 },
      ];
      const rows: Row[] = [];
      const targets: Target[] = [];
      const details: Record<string, unknown> = { messages: MESSAGES, seedSeconds: round(seedSeconds, 1) };
      for (const set of sets) {
        const ours = await latencies(set.terms, QUERIES, ask);
        const like = await latencies(set.terms, BASELINE_QUERIES, (term) =>
          likeScan(services, searcher.id, term),
        );
        rows.push(row(`${set.name} p50`, 'ms', round(ours.p50, 2), round(like.p50, 2), "LIKE '%…%' scan"));
        rows.push(row(`${set.name} p99`, 'ms', round(ours.p99, 2), round(like.p99, 2), "LIKE '%…%' scan"));
        targets.push({
          description: `${set.name}: p99 < ${set.target} ms`,
          met: ours.p99 < set.target,
          actual: `${round(ours.p99, 2)} ms`,
        });
        details[set.name] = { switchboard: ours, like };
      }

      // Design (a), measured on the same messages: build a trigram index of everything.
      const built = nowMs();
      await sql`create virtual table cmp_grams using fts5(text, tokenize = 'trigram', content = '', contentless_delete = 1)`.execute(
        services.db,
      );
      await sql`insert into cmp_grams (rowid, text) select rowid, text from messages`.execute(services.db);
      const trigramBuildSeconds = (nowMs() - built) / 1000;
      const sizes = {
        words: await indexBytes(services, 'message_words'),
        grams: await indexBytes(services, 'message_grams'),
        trigramOnly: await indexBytes(services, 'cmp_grams'),
        messages: await indexBytes(services, 'messages'),
      };
      const designA: Record<string, Timing> = {};
      for (const set of sets) {
        designA[set.name] = await latencies(set.terms, BASELINE_QUERIES, (term) =>
          trigramOnly(services, searcher.id, term),
        );
        rows.push(
          row(
            `${set.name} p99, trigram-only design`,
            'ms',
            round(designA[set.name]!.p99, 2),
            round((details[set.name] as { switchboard: Timing }).switchboard.p99, 2),
            'chosen design (words + CJK trigrams)',
          ),
        );
      }
      rows.push(
        row(
          'index size',
          'MB',
          round((sizes.words + sizes.grams) / 2 ** 20, 1),
          round(sizes.trigramOnly / 2 ** 20, 1),
          'trigram-only design',
        ),
      );
      await sql`drop table cmp_grams`.execute(services.db);
      details.sizesBytes = sizes;
      details.trigramOnly = { buildSeconds: round(trigramBuildSeconds, 1), latencies: designA };

      // Write cost: the same sends with and without the triggers, alternated.
      const triggers = await sql<{ sql: string }>`select sql from sqlite_master where type = 'trigger'
        and name in (${sql.join(TRIGGERS)})`.execute(services.db);
      const indexOff = async () => {
        for (const name of TRIGGERS) await sql`drop trigger ${sql.id(name)}`.execute(services.db);
      };
      const indexOn = async () => {
        for (const { sql: create } of triggers.rows) await sql.raw(create).execute(services.db);
      };
      // Warm both paths up unmeasured, then alternate which goes first, so neither gains from order.
      await sendRate(services, world, text.message);
      const withIndex: number[] = [];
      const without: number[] = [];
      for (let round_ = 0; round_ < SEND_ROUNDS; round_++) {
        const indexed = async () => withIndex.push(await sendRate(services, world, text.message));
        const plain = async () => {
          await indexOff();
          without.push(await sendRate(services, world, text.message));
          await indexOn();
        };
        if (round_ % 2 === 0) await indexed().then(plain);
        else await plain().then(indexed);
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const cost = 1 - mean(withIndex) / mean(without);
      rows.push(
        row(
          'sends with the index',
          'sends/s',
          round(mean(withIndex), 0),
          round(mean(without), 0),
          'no search index',
        ),
      );
      targets.push({
        description: 'the index costs a send < 20 % of throughput',
        met: cost < 0.2,
        actual: `${round(cost * 100, 1)} %`,
      });
      details.sends = { withIndex, without, costPercent: round(cost * 100, 1) };
      return { rows, targets, details };
    } finally {
      await services.db.destroy();
    }
  },
};

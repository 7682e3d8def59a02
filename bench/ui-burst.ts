// A burst of 5,000 incoming messages in the web client: another user sends them as fast as the server
// takes them while the viewer has the channel open, and the page reports its main-thread long tasks,
// its longest gap between frames and its JS heap (issue 3: no task over 50 ms).
//
// Two baselines in the same run, each with the same 5,000 messages from the same sender:
// - the same app with the channel NOT open (another channel is): the session core, the port and the
//   sidebar's counts still handle every message, the message list does not. The difference is what
//   showing the messages costs.
// - a minimal page on the same origin that connects with socket.io-client on its main thread as the
//   same viewer and appends each message's text to a plain list (no framework, no worker, no
//   virtualization): the floor for receiving and showing 5,000 socket events in this browser.
//
// Each run is a fresh browser context. Before the burst, the page gets a PerformanceObserver for
// 'longtask' and 'long-animation-frame' and a requestAnimationFrame loop that records the longest gap
// between frames; they run until a second after the last message is shown. Heap: Performance.getMetrics
// JSHeapUsedSize through the DevTools protocol, after HeapProfiler.collectGarbage, before and after the
// burst; the session core's SharedWorker heap the same way (Runtime.getHeapUsage).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { newId, PROTOCOL_VERSION, type SendAck } from '@switchboard/protocol';
import { call, connect, type TestSocket } from '../tests/support/server.ts';
import { conversation } from '../tests/e2e/support/app.ts';
import {
  launchChromium,
  newContext,
  pageHeap,
  pageTaskMs,
  sessionWorkerHeap,
  signedInPage,
} from './support/browser.ts';
import { row, type Benchmark } from './support/report.ts';
import {
  appendMessages,
  benchDataDir,
  createUsers,
  seedDataDir,
  startSwitchboard,
  stopTarget,
  type BenchUser,
} from './support/servers.ts';
import { ForeignLoad, median, nowMs, round, treeCpuMs } from './support/stats.ts';

const BURST = 5_000;
const ROUNDS = 2;
const SENDER_SOCKETS = 5;
/** Sends in flight at once, spread over the sender's sockets; each waits for its ack. */
const IN_FLIGHT = 50;
/** Messages already in each burst channel, so the open list has a page to show before the burst. */
const EARLIER = 50;
const TARGET_TASK_MS = 50;
const SHOWN_TIMEOUT_MS = 60_000;
/** After the last message is shown: long tasks that follow it still belong to the burst. */
const TAIL_MS = 1_000;
const SETTLE_MS = 1_000;
const QUIET = 'a-quiet';
/**
 * UI_BENCH_PROFILE=<dir>: also record a V8 CPU profile of the page's main thread over each burst
 * (Profiler domain, 200 µs sampling) into <dir>, to open in Chromium's DevTools. Profiling slows the
 * page down, so figures from such a run are not comparable with others.
 */
const PROFILE_DIR = process.env.UI_BENCH_PROFILE;

const text = (channel: string, n: number) =>
  `${channel} ${n}: a typical chat line of about a hundred characters, long enough to be realistic here.`;

type Variant = 'open' | 'closed' | 'plain';
const VARIANTS: Variant[] = ['open', 'closed', 'plain'];

interface Seeded {
  viewer: BenchUser;
  sender: BenchUser;
  /** One fresh channel per run, so every burst meets the same history. */
  channels: { id: string; name: string }[];
}

async function seed(dataDir: string): Promise<Seeded> {
  return seedDataDir(dataDir, 'standard', async (services) => {
    const [viewer, sender] = await createUsers(services, 'ui-burst', 2);
    const names = [QUIET, ...Array.from({ length: ROUNDS * VARIANTS.length }, (_, i) => `burst-${i}`)];
    const channels: { id: string; name: string }[] = [];
    for (const name of names) {
      const created = await services.channels.create(
        { id: sender!.id, isAdmin: false },
        { name, visibility: 'public' },
      );
      await services.channels.join({ id: viewer!.id, isAdmin: false }, created.id);
      await appendMessages(
        services,
        created.id,
        EARLIER,
        () => sender!.id,
        (n) => text(name, n),
      );
      channels.push({ id: created.id, name });
    }
    return { viewer: viewer!, sender: sender!, channels: channels.slice(1) };
  });
}

interface LongFrame {
  duration: number;
  blockingDuration: number;
  scripts: { invoker: string; source: string; duration: number }[];
}

interface BurstProbe {
  longTasks: { start: number; duration: number }[];
  longFrames: LongFrame[];
  maxFrameGapMs: number;
  frames: number;
  /** Epoch ms (timeOrigin + now) when the last message was seen on the page, null until then. */
  shownAt: number | null;
  stopped: boolean;
}

/** Installed before the burst: long tasks, long animation frames and the longest gap between frames. */
function armBurstProbe(): void {
  const probe: BurstProbe = {
    longTasks: [],
    longFrames: [],
    maxFrameGapMs: 0,
    frames: 0,
    shownAt: null,
    stopped: false,
  };
  (window as unknown as { burstProbe: BurstProbe }).burstProbe = probe;
  const tasks = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) probe.longTasks.push({ start: e.startTime, duration: e.duration });
  });
  tasks.observe({ type: 'longtask' });
  type ScriptTiming = {
    invoker: string;
    sourceURL: string;
    sourceFunctionName: string;
    sourceCharPosition: number;
    duration: number;
  };
  const frames = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & {
      blockingDuration: number;
      scripts: ScriptTiming[];
    })[]) {
      probe.longFrames.push({
        duration: e.duration,
        blockingDuration: e.blockingDuration,
        scripts: e.scripts.map((s) => ({
          invoker: s.invoker,
          source: `${s.sourceFunctionName || '(anonymous)'} ${s.sourceURL.split('/').pop()}:${s.sourceCharPosition}`,
          duration: s.duration,
        })),
      });
    }
  });
  if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame'))
    frames.observe({ type: 'long-animation-frame' });
  let last = performance.now();
  const frame = (t: number) => {
    probe.maxFrameGapMs = Math.max(probe.maxFrameGapMs, t - last);
    probe.frames += 1;
    last = t;
    if (probe.stopped) {
      tasks.disconnect();
      frames.disconnect();
    } else requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

/** Notes when the last message of the burst is on the page: how depends on the variant. */
function watchShown(args: { kind: Variant; channel: string; marker: string; count: number }): void {
  const probe = (window as unknown as { burstProbe: BurstProbe }).burstProbe;
  const shown = (): boolean => {
    if (args.kind === 'plain') return (document.getElementById('list')?.childElementCount ?? 0) >= args.count;
    if (args.kind === 'closed') {
      const link = [...document.querySelectorAll('nav .channel-link')].find(
        (b) => b.querySelector('.channel-name')?.textContent === args.channel,
      );
      // The last message mentions the viewer (see burst).
      return link?.querySelector('.badge-mention [aria-hidden=true]')?.textContent === '@1';
    }
    const rows = document.querySelectorAll('[role=log] [data-testid=message]');
    const box = document.querySelector('[role=log]')?.getBoundingClientRect();
    for (let i = rows.length - 1; i >= 0 && box; i--) {
      if (!rows[i]!.textContent?.includes(args.marker)) continue;
      const r = rows[i]!.getBoundingClientRect();
      return r.bottom > box.top && r.top < box.bottom;
    }
    return false;
  };
  const check = () => {
    if (probe.shownAt !== null || !shown()) return;
    probe.shownAt = performance.timeOrigin + performance.now();
    watcher.disconnect();
  };
  const watcher = new MutationObserver(check);
  watcher.observe(document.body, { childList: true, subtree: true, characterData: true });
  check();
}

/** Where the log stands, for a run whose last message never came into view. */
function describeLog(): string {
  const log = document.querySelector('[role=log]');
  const rows = [...document.querySelectorAll('[role=log] [data-testid=message]')];
  return JSON.stringify({
    belowBottomPx: log ? log.scrollHeight - log.clientHeight - log.scrollTop : null,
    rows: rows.length,
    lastRow: rows.at(-1)?.textContent?.slice(0, 60) ?? null,
    jumpToLatest: document.querySelector('.jump-bottom') !== null,
  });
}

/** The minimal page's script: socket.io-client on the main thread, one list item per message. */
function startPlainList(auth: { token: string; protocolVersion: number }): void {
  type Socket = { on(event: string, handler: (payload: { message: { text: string } }) => void): void };
  const io = (window as unknown as { io: (options: object) => Socket }).io;
  const list = document.getElementById('list')!;
  const socket = io({ auth, transports: ['websocket'] });
  socket.on('hello', () => ((window as unknown as { plainReady: boolean }).plainReady = true));
  socket.on('stream.event', (event) => {
    const item = document.createElement('li');
    item.textContent = event.message.text;
    list.append(item);
  });
}

const SOCKET_IO_SCRIPT = createRequire(import.meta.url).resolve('socket.io-client/dist/socket.io.js');

async function preparePage(
  browser: Browser,
  url: string,
  viewer: BenchUser,
  variant: Variant,
  channel: { id: string; name: string },
): Promise<{ context: BrowserContext; page: Page }> {
  if (variant === 'plain') {
    // The made-up page keeps the CSP of the route it was loaded from (script-src 'self'), which
    // would refuse the socket.io script injected below.
    const context = await newContext(browser, { bypassCSP: true });
    const page = await context.newPage();
    // A document really loaded from the server (any JSON route will do), then replaced: one that
    // Playwright made up would not count as loopback, and Chromium's local network access checks
    // would block its socket to 127.0.0.1.
    await page.goto(`${url}/api/v1/auth/status`);
    await page.setContent('<!doctype html><title>plain list</title><ol id="list"></ol>');
    await page.addScriptTag({ path: SOCKET_IO_SCRIPT });
    await page.evaluate(startPlainList, { token: viewer.token, protocolVersion: PROTOCOL_VERSION });
    await page.waitForFunction(() => (window as unknown as { plainReady?: boolean }).plainReady === true);
    return { context, page };
  }
  const { context, page } = await signedInPage(browser, url, viewer.username, viewer.password);
  await page.getByText(text(QUIET, EARLIER)).waitFor({ timeout: 30_000 });
  if (variant === 'open') {
    await conversation(page, channel.name).click();
    await page.getByText(text(channel.name, EARLIER)).waitFor({ timeout: 30_000 });
  } else {
    await conversation(page, channel.name).waitFor();
  }
  return { context, page };
}

interface Sent {
  acked: number;
  errors: number;
  perSec: number;
  lastAckAt: number;
  /** The text of the message with the highest seq: the last one the viewer receives. */
  newestText: string;
}

/**
 * BURST sends from the sender's sockets, IN_FLIGHT at a time, each waiting for its ack; the last one
 * alone once all the others are acked, so that it is the newest, mentioning the viewer: the sidebar
 * of the app with the channel not open shows that (its unread badge stops at "999+").
 */
async function burst(
  sockets: TestSocket[],
  channel: { id: string; name: string },
  viewer: string,
): Promise<Sent> {
  let next = 1;
  let acked = 0;
  let errors = 0;
  let newest = { seq: 0, text: '' };
  const started = performance.now();
  const send = async (socket: TestSocket, n: number) => {
    const body = text(channel.name, EARLIER + n) + (n === BURST ? ` @${viewer}` : '');
    const result = await call<SendAck>(socket, 'message.send', {
      channelId: channel.id,
      clientId: newId(),
      text: body,
    });
    if (!result.ok) {
      errors += 1;
      return;
    }
    acked += 1;
    if (result.data.seq > newest.seq) newest = { seq: result.data.seq, text: body };
  };
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, lane) => {
      while (next < BURST) await send(sockets[lane % sockets.length]!, next++);
    }),
  );
  await send(sockets[0]!, BURST);
  const ms = performance.now() - started;
  return {
    acked,
    errors,
    perSec: Math.round(acked / (ms / 1000)),
    lastAckAt: nowMs(),
    newestText: newest.text,
  };
}

interface RunResult {
  variant: Variant;
  round: number;
  channel: string;
  sent: Sent;
  longestTaskMs: number;
  longTaskTotalMs: number;
  longTasks: number;
  longestFrameMs: number;
  longFrameBlockingMs: number;
  maxFrameGapMs: number;
  /** Main-thread time in tasks from the start of the burst until TAIL_MS after the last one was shown. */
  mainThreadBusyMs: number;
  /** Last ack at the sender → last message shown in the page; null when it was not shown in time. */
  shownAfterLastAckMs: number | null;
  /** Where the log stood when the last message was not shown in time (see describeLog). */
  notShown: string | null;
  heapBeforeMB: number;
  heapAfterMB: number;
  heapAfterNoGcMB: number;
  workerHeapBeforeMB: number | null;
  workerHeapAfterMB: number | null;
  /** The long animation frames' slowest scripts, for finding the cause. */
  topScripts: { invoker: string; source: string; duration: number }[];
  foreignCpuPct: number | null;
}

const MB = (bytes: number) => round(bytes / 2 ** 20, 2)!;

async function runOne(
  browser: Browser,
  url: string,
  seeded: Seeded,
  sockets: TestSocket[],
  variant: Variant,
  roundNo: number,
  channel: { id: string; name: string },
): Promise<RunResult> {
  const { context, page } = await preparePage(browser, url, seeded.viewer, variant, channel);
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.waitForTimeout(SETTLE_MS);
    const heapBefore = await pageHeap(cdp);
    const workerBefore = variant === 'plain' ? null : await sessionWorkerHeap(browser, url);

    await page.evaluate(armBurstProbe);
    if (PROFILE_DIR) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const busyBefore = await pageTaskMs(cdp);
    const foreign = new ForeignLoad();
    const cpuBefore = treeCpuMs();
    const sent = await burst(sockets, channel, seeded.viewer.username);
    await page.evaluate(watchShown, {
      kind: variant,
      channel: channel.name,
      marker: sent.newestText.slice(0, sent.newestText.indexOf(':') + 1),
      count: BURST,
    });
    const shown = await page
      .waitForFunction(
        () => (window as unknown as { burstProbe: BurstProbe }).burstProbe.shownAt !== null,
        null,
        { timeout: SHOWN_TIMEOUT_MS, polling: 100 },
      )
      .then(
        () => true,
        () => false,
      );
    const notShown = shown ? null : await page.evaluate(describeLog);
    await page.waitForTimeout(TAIL_MS);
    await page.evaluate(() => ((window as unknown as { burstProbe: BurstProbe }).burstProbe.stopped = true));
    const busyAfter = await pageTaskMs(cdp);
    if (PROFILE_DIR) {
      const { profile } = await cdp.send('Profiler.stop');
      const file = path.join(PROFILE_DIR, `ui-burst-${variant}-${roundNo}.cpuprofile`);
      fs.mkdirSync(PROFILE_DIR, { recursive: true });
      fs.writeFileSync(file, JSON.stringify(profile));
      console.error(`  ui-burst: CPU profile of the page written to ${file}`);
    }
    const foreignCpuPct = foreign.percent(treeCpuMs() - cpuBefore);
    const probe = await page.evaluate(() => (window as unknown as { burstProbe: BurstProbe }).burstProbe);
    const { metrics } = await cdp.send('Performance.getMetrics');
    const heapNoGc = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
    const heapAfter = await pageHeap(cdp);
    const workerAfter = variant === 'plain' ? null : await sessionWorkerHeap(browser, url);

    const scripts = new Map<string, { invoker: string; source: string; duration: number }>();
    for (const s of probe.longFrames.flatMap((f) => f.scripts)) {
      const key = `${s.invoker}|${s.source}`;
      const known = scripts.get(key) ?? { invoker: s.invoker, source: s.source, duration: 0 };
      known.duration += s.duration;
      scripts.set(key, known);
    }
    return {
      variant,
      round: roundNo,
      channel: channel.name,
      sent,
      longestTaskMs: round(Math.max(0, ...probe.longTasks.map((t) => t.duration)), 1)!,
      longTaskTotalMs: round(
        probe.longTasks.reduce((a, t) => a + t.duration, 0),
        1,
      )!,
      longTasks: probe.longTasks.length,
      longestFrameMs: round(Math.max(0, ...probe.longFrames.map((f) => f.duration)), 1)!,
      longFrameBlockingMs: round(
        probe.longFrames.reduce((a, f) => a + f.blockingDuration, 0),
        1,
      )!,
      maxFrameGapMs: round(probe.maxFrameGapMs, 1)!,
      mainThreadBusyMs: round(busyAfter - busyBefore, 1)!,
      shownAfterLastAckMs: probe.shownAt === null ? null : round(probe.shownAt - sent.lastAckAt, 1),
      notShown,
      heapBeforeMB: MB(heapBefore.usedBytes),
      heapAfterMB: MB(heapAfter.usedBytes),
      heapAfterNoGcMB: MB(heapNoGc),
      workerHeapBeforeMB: workerBefore && MB(workerBefore.usedBytes),
      workerHeapAfterMB: workerAfter && MB(workerAfter.usedBytes),
      topScripts: [...scripts.values()]
        .sort((a, b) => b.duration - a.duration)
        .slice(0, 5)
        .map((s) => ({ ...s, duration: Math.round(s.duration) })),
      foreignCpuPct,
    };
  } finally {
    await context.close();
  }
}

export const uiBurst: Benchmark = {
  name: 'ui-burst',
  description: `web client in Chromium: ${BURST.toLocaleString('en-US')} incoming messages to the open channel, main-thread long tasks and heap`,
  async run() {
    const dataDir = benchDataDir();
    const seeded = await seed(dataDir);
    const target = await startSwitchboard(dataDir, { maxConnectionsPerUser: 20 });
    const browser = await launchChromium();
    const sockets = await Promise.all(
      Array.from(
        { length: SENDER_SOCKETS },
        async () => (await connect(target.url, seeded.sender.token)).socket,
      ),
    );
    const runs: RunResult[] = [];
    try {
      let next = 0;
      for (let r = 0; r < ROUNDS; r++) {
        // Alternate the order, so a change in the machine's load does not always hit the same variant.
        for (const variant of r % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
          const channel = seeded.channels[next++]!;
          const result = await runOne(browser, target.url, seeded, sockets, variant, r, channel);
          console.error(`  ui-burst ${variant} round ${r}: ${JSON.stringify(result)}`);
          runs.push(result);
        }
      }
    } finally {
      for (const s of sockets) s.disconnect();
      await browser.close();
      await stopTarget(target);
    }

    const of = (variant: Variant) => runs.filter((r) => r.variant === variant);
    const worst = (variant: Variant, field: 'longestTaskMs' | 'maxFrameGapMs' | 'longestFrameMs') =>
      Math.max(...of(variant).map((r) => r[field]));
    const mid = (variant: Variant, value: (r: RunResult) => number | null) => {
      const values = of(variant)
        .map(value)
        .filter((v): v is number => v !== null);
      return values.length > 0 ? round(median(values), 2) : null;
    };
    const closed = 'same app, channel not open';
    const plain = 'plain page appending to a list';
    const both = (measurement: string, unit: string, value: (v: Variant) => number | null) => [
      row(measurement, unit, value('open'), value('closed'), closed),
      row(measurement, unit, value('open'), value('plain'), plain),
    ];
    const longest = worst('open', 'longestTaskMs');
    return {
      rows: [
        ...both('longest main-thread task, worst run', 'ms', (v) => worst(v, 'longestTaskMs')),
        ...both('total long-task time', 'ms', (v) => mid(v, (r) => r.longTaskTotalMs)),
        ...both('long tasks', 'count', (v) => mid(v, (r) => r.longTasks)),
        ...both('longest gap between frames, worst run', 'ms', (v) => worst(v, 'maxFrameGapMs')),
        ...both('main-thread busy, burst + 1 s', 'ms', (v) => mid(v, (r) => r.mainThreadBusyMs)),
        ...both('last ack → last message shown', 'ms', (v) => mid(v, (r) => r.shownAfterLastAckMs)),
        ...both(
          `runs where the last message was not shown within ${SHOWN_TIMEOUT_MS / 1000} s`,
          'count',
          (v) => of(v).filter((r) => r.notShown !== null).length,
        ),
        ...both('JS heap after the burst (after GC)', 'MB', (v) => mid(v, (r) => r.heapAfterMB)),
        ...both('JS heap growth over the burst', 'MB', (v) => mid(v, (r) => r.heapAfterMB - r.heapBeforeMB)),
        ...both('CPU of other processes meanwhile (200 = both cores)', '%', (v) =>
          mid(v, (r) => r.foreignCpuPct),
        ),
        row(
          'session worker heap after the burst',
          'MB',
          mid('open', (r) => r.workerHeapAfterMB),
          mid('closed', (r) => r.workerHeapAfterMB),
          closed,
        ),
        row(
          'burst accepted by the server',
          'msgs/s',
          mid('open', (r) => r.sent.perSec),
          mid('closed', (r) => r.sent.perSec),
          closed,
        ),
      ],
      targets: [
        {
          description: `${BURST.toLocaleString('en-US')} incoming messages to the open channel: no main-thread task over ${TARGET_TASK_MS} ms`,
          met: longest <= TARGET_TASK_MS && of('open').every((r) => r.notShown === null),
          actual: `longest task ${of('open')
            .map((r) => `${r.longestTaskMs} ms (other processes ${r.foreignCpuPct} %)`)
            .join(', ')}; JS heap after ${of('open')
            .map((r) => r.heapAfterMB)
            .join(', ')} MB`,
        },
      ],
      details: { burst: BURST, inFlight: IN_FLIGHT, earlierMessages: EARLIER, runs },
    };
  },
};

// Desktop benchmarks.
//
// desktop-main-loop — the promise of the design: the window never blocks because the session core
// runs elsewhere. Electron main's stand-in (this thread: main's own CoreHost, control channel and
// ports) runs the real utility entry in a worker thread; a window's SessionClient runs in another
// (the renderer); a second person sends a burst of 5,000 messages into the channel the window has
// open. Measured: this thread's event-loop delay (perf_hooks, 1 ms resolution), p99 and max, over the
// burst. Baseline, same run: the same main with the session core running in it (what main would
// suffer without the utility process). Target: p99 < 10 ms with the utility process.
//
// desktop-idle-memory — resident memory of the desktop app's three parts at idle with 20 channels:
// main's stand-in (this process, which also holds the benchmark harness, so an upper bound), the
// utility process (the real entry in a child process) and the renderer (Debian's Chromium showing the
// desktop renderer with the test preload). Baseline: the web client in the same Chromium (its core
// in a SharedWorker) with the same account.
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { EventEmitter } from 'node:events';
import { createNodeSession, serveSession } from '@switchboard/client/node';
import { CoreHost, type CoreChild } from '../main/src/core/core-host.ts';
import { RecordingLog } from '../main/src/testing/fakes.ts';
import type { ToUtility } from '../main/src/shared/control.ts';
import { api, tempDir } from '../tests/support/server.ts';
import { MemorySecrets } from '../tests/support/desktop-host.ts';
import { row, type Benchmark, type Row, type Target } from './support/report.ts';
import { benchDataDir, createUsers, seedDataDir, startSwitchboard, stopTarget } from './support/servers.ts';
import { round, sleep } from './support/stats.ts';
import { launchChromium, newContext, signedInPage } from './support/browser.ts';
import { nav } from '../tests/e2e/support/app.ts';
import { startDesktopApp } from '../tests/e2e/support/desktop.ts';

const BURST = Number(process.env.DESKTOP_BENCH_BURST ?? 5_000);
const IN_FLIGHT = 50;
const TARGET_P99_MS = 10;
const THREADS = new URL('./support/desktop-threads.ts', import.meta.url).href;
const TS_WORKER = new URL('./support/ts-worker.mjs', import.meta.url);

function thread(role: 'utility' | 'renderer' | 'sender'): Worker {
  return new Worker(TS_WORKER, { workerData: { role, module: THREADS } });
}

/** The utility entry in a worker thread, in the shape of Electron's UtilityProcess. */
class ThreadUtility extends EventEmitter implements CoreChild<MessagePort> {
  readonly worker = thread('utility');
  readonly pid = process.pid;
  constructor() {
    super();
    this.worker.on('message', (message) => this.emit('message', message));
    this.worker.on('exit', (code) => this.emit('exit', code));
  }
  postMessage(message: ToUtility, transfer: MessagePort[] = []): void {
    this.worker.postMessage({ data: message, ports: transfer }, transfer);
  }
  kill(): boolean {
    void this.worker.terminate();
    return true;
  }
}

function once<T>(worker: Worker, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Record<string, unknown>) => {
      if (key in message) {
        worker.off('message', onMessage);
        resolve(message as T);
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

interface Setup {
  url: string;
  viewer: { username: string; password: string };
  senderToken: string;
  channelId: string;
  stop(): Promise<void>;
}

async function serverWithChannel(): Promise<Setup> {
  const dataDir = benchDataDir();
  const [viewer, other] = await seedDataDir(dataDir, 'standard', (s) => createUsers(s, 'desk', 2));
  const target = await startSwitchboard(dataDir, { maxConnectionsPerUser: 20 });
  const created = await api(target.url, 'POST', '/api/v1/channels', {
    token: viewer!.token,
    json: { name: 'burst', visibility: 'public' },
  });
  await api(target.url, 'POST', `/api/v1/channels/${created.body.id}/join`, { token: other!.token });
  return {
    url: target.url,
    viewer: { username: viewer!.username, password: viewer!.password },
    senderToken: other!.token,
    channelId: created.body.id,
    stop: () => stopTarget(target),
  };
}

/** One burst with the core at `where`; this thread's event-loop delay over it. */
async function burst(setup: Setup, where: 'utility' | 'main', prefix: string) {
  const { port1, port2 } = new MessageChannel();
  let host: CoreHost<MessagePort> | null = null;
  let inProcess: Awaited<ReturnType<typeof createNodeSession>> | null = null;
  if (where === 'utility') {
    host = new CoreHost<MessagePort>({
      launch: () => new ThreadUtility(),
      createChannel: () => new MessageChannel(),
      secrets: new MemorySecrets(),
      dataDir: tempDir('switchboard-bench-core-'),
      logsDir: tempDir('switchboard-bench-logs-'),
      log: new RecordingLog(),
    });
    host.start();
    host.attachWindow({ id: 1, sendPort: (port) => rendererPort.resolve(port), sendStatus: () => {} });
  } else {
    inProcess = await createNodeSession({ dataDir: tempDir('switchboard-bench-core-') });
    serveSession(inProcess, port1);
    rendererPort.resolve(port2);
  }
  const renderer = thread('renderer');
  const port = await rendererPort.promise;
  renderer.postMessage(
    { port, serverUrl: setup.url, ...setup.viewer, channelId: setup.channelId, expected: BURST, prefix },
    [port],
  );
  await once(renderer, 'ready');

  const sender = thread('sender');
  // Listening before the burst starts: a worker's message with no listener is lost.
  const shown = once(renderer, 'done');
  const sent = once(sender, 'sent');
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const started = performance.now();
  sender.postMessage({
    serverUrl: setup.url,
    token: setup.senderToken,
    channelId: setup.channelId,
    count: BURST,
    prefix,
    inFlight: IN_FLIGHT,
  });
  await shown;
  const ms = performance.now() - started;
  histogram.disable();
  await sent;

  await host?.shutdown();
  await inProcess?.close();
  await Promise.all([renderer.terminate(), sender.terminate()]);
  rendererPort = deferred();
  return {
    p99: round(histogram.percentile(99) / 1e6, 2)!,
    max: round(histogram.max / 1e6, 2)!,
    mean: round(histogram.mean / 1e6, 2)!,
    burstMs: Math.round(ms),
  };
}

function deferred<T = MessagePort>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
let rendererPort = deferred();

export const desktopMainLoop: Benchmark = {
  name: 'desktop-main-loop',
  description: `main's event-loop delay while the window receives a burst of ${BURST.toLocaleString('en')} messages: core in the utility process vs in main`,
  async run() {
    const setup = await serverWithChannel();
    try {
      const utility = await burst(setup, 'utility', 'via-utility');
      const inMain = await burst(setup, 'main', 'in-main');
      const rows: Row[] = [
        row('main event-loop delay p99', 'ms', utility.p99, inMain.p99, 'core in main'),
        row('main event-loop delay max', 'ms', utility.max, inMain.max, 'core in main'),
        row('main event-loop delay mean', 'ms', utility.mean, inMain.mean, 'core in main'),
        row('burst shown in the window', 'ms', utility.burstMs, inMain.burstMs, 'core in main'),
      ];
      const targets: Target[] = [
        {
          description: `main p99 event-loop delay < ${TARGET_P99_MS} ms`,
          met: utility.p99 < TARGET_P99_MS,
          actual: `${utility.p99} ms`,
        },
      ];
      return { rows, targets, details: { utility, inMain } };
    } finally {
      await setup.stop();
    }
  },
};

const IDLE_CHANNELS = 20;
const SETTLE_MS = 3_000;

/**
 * Resident memory of a process (Linux /proc), in MiB: RSS, and PSS (shared pages divided among the
 * processes sharing them — Chromium's processes share most of their code, so RSS sums overcount).
 */
function memoryMiB(pid: number): { rss: number; pss: number } {
  const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN) / 1024;
  return { rss: field('Rss'), pss: field('Pss') };
}

const sum = (a: { rss: number; pss: number }, b: { rss: number; pss: number }) => ({
  rss: a.rss + b.rss,
  pss: a.pss + b.pss,
});

/** Every Chromium renderer process (pages and workers) under the browser's process, summed. */
function rendererMiB(browserPid: number): { rss: number; pss: number } {
  const children = (pid: number): number[] => {
    try {
      return fs
        .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
  };
  let total = { rss: 0, pss: 0 };
  const walk = (pid: number) => {
    for (const child of children(pid)) {
      const cmdline = fs.readFileSync(`/proc/${child}/cmdline`, 'utf8');
      if (cmdline.includes('--type=renderer')) total = sum(total, memoryMiB(child));
      walk(child);
    }
  };
  walk(browserPid);
  return total;
}

export const desktopIdleMemory: Benchmark = {
  name: 'desktop-idle-memory',
  description: `resident memory at idle with ${IDLE_CHANNELS} channels: main stand-in + utility process + renderer, vs the web client`,
  async run() {
    const dataDir = benchDataDir();
    const [viewer] = await seedDataDir(dataDir, 'standard', (s) => createUsers(s, 'idle', 1));
    const target = await startSwitchboard(dataDir, { maxConnectionsPerUser: 20 });
    for (let i = 0; i < IDLE_CHANNELS; i++)
      await api(target.url, 'POST', '/api/v1/channels', {
        token: viewer!.token,
        json: { name: `idle-${i}`, visibility: 'public' },
      });
    const browser = await launchChromium();
    const browserPid = chromiumPid();
    try {
      // Desktop: the renderer with the test preload, its port to the real utility entry in a child process.
      const app = startDesktopApp();
      const desktopContext = await newContext(browser);
      const page = await desktopContext.newPage();
      await app.open(page);
      await page.getByLabel('Server address').fill(target.url);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Username').fill(viewer!.username);
      await page.getByLabel('Password').fill(viewer!.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await nav(page)
        .getByRole('button', { name: /idle-19/ })
        .waitFor();
      await sleep(SETTLE_MS);
      const desktop = {
        main: memoryMiB(process.pid),
        utility: memoryMiB(app.core.current().child.pid!),
        renderer: rendererMiB(browserPid),
      };
      await desktopContext.close();
      await app.stop();

      // Web: the same account in the web client (page + its SharedWorker core).
      const { context } = await signedInPage(browser, target.url, viewer!.username, viewer!.password);
      await sleep(SETTLE_MS);
      const web = { renderer: rendererMiB(browserPid) };
      await context.close();

      const total = sum(sum(desktop.main, desktop.utility), desktop.renderer);
      const rows: Row[] = [
        row(
          'renderer RSS (web: page + SharedWorker)',
          'MiB',
          round(desktop.renderer.rss),
          round(web.renderer.rss),
          'web client',
        ),
        row('utility process RSS (session core)', 'MiB', round(desktop.utility.rss), null, 'web client'),
        row('main stand-in RSS (with the bench harness)', 'MiB', round(desktop.main.rss), null, 'web client'),
        row('renderer PSS', 'MiB', round(desktop.renderer.pss), round(web.renderer.pss), 'web client'),
        row('utility process PSS', 'MiB', round(desktop.utility.pss), null, 'web client'),
        row(
          'desktop total PSS vs web renderers PSS',
          'MiB',
          round(total.pss),
          round(web.renderer.pss),
          'web client',
        ),
      ];
      return { rows, targets: [], details: { desktop, web, channels: IDLE_CHANNELS } };
    } finally {
      await browser.close();
      await stopTarget(target);
    }
  },
};

/** The pid of the Chromium Playwright just launched (the newest /usr/bin/chromium browser process). */
function chromiumPid(): number {
  const pids = fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return (
          cmdline.includes('chromium') &&
          !cmdline.includes('--type=') &&
          fs.readFileSync(`/proc/${pid}/status`, 'utf8').includes(`PPid:\t${process.pid}`)
        );
      } catch {
        return false;
      }
    });
  if (pids.length === 0) throw new Error('cannot find the Chromium browser process');
  return Math.max(...pids);
}

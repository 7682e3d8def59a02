// The session core's utility process: waits for `start` on the control channel, opens the core
// (the Node entry of @switchboard/client, its files under the app's data folder, its token kept by
// main), serves each window's port, and applies power and network events. Written against the
// shape of Electron's `process.parentPort` and MessagePortMain, so the same code runs in Electron
// and, in tests and benchmarks, in plain Node behind a shim (tests/support/utility-host.ts).
import { FileStorage, SessionCore, serveSession, type Logger, type PortLike } from '@switchboard/client/node';
import type { ErrorCode } from '@switchboard/protocol';
import { ToUtility, type FromUtility } from '../shared/control.ts';
import { describeIssues, type Log } from '../shared/log.ts';
import { forwardAttention } from './attention.ts';
import { Availability } from './availability.ts';
import { TokenKeepingStorage } from './token-storage.ts';

/** Electron's MessagePortMain, as far as the core uses it. */
export interface PortMainLike extends PortLike {
  on(event: 'message' | 'close', listener: (event: { data?: unknown }) => void): unknown;
  start(): void;
  close(): void;
}

/** Electron's `process.parentPort`: messages arrive as { data, ports }. */
export interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown; ports: PortMainLike[] }) => void): unknown;
  postMessage(message: FromUtility): void;
}

export interface UtilityOptions {
  /** Opens the process's log (pino to rolling files in the app). */
  openLog(logsDir: string): Promise<Log & { flush?(): void }>;
  /** Ends the process once the core is closed after `shutdown`. */
  exit(code: number): void;
}

const asClientLogger = (log: Log): Logger => ({
  warn: (message, details) => log.warn(details ?? {}, message),
  error: (message, details) => log.error(details ?? {}, message),
});

export function runUtility(parent: ParentPortLike, options: UtilityOptions): void {
  let log: (Log & { flush?(): void }) | null = null;
  let core: Promise<SessionCore> | null = null;
  let availability: Availability | null = null;
  /** Ports that arrive before `start` wait for the core it opens. */
  let resolveCore!: (core: Promise<SessionCore>) => void;
  const coreReady = new Promise<SessionCore>((resolve) => (resolveCore = (c) => resolve(c)));

  const reject = (code: ErrorCode, message: string) => {
    log?.warn({ code }, `refused a control message: ${message}`);
    parent.postMessage({ type: 'rejected', code, message });
  };

  const start = async (message: Extract<ToUtility, { type: 'start' }>): Promise<SessionCore> => {
    log = await options.openLog(message.logsDir);
    const storage = new TokenKeepingStorage(
      await FileStorage.open(message.dataDir, { logger: asClientLogger(log) }),
      message.token,
      (token) => parent.postMessage({ type: 'token', token }),
    );
    const session = await SessionCore.open({ storage, logger: asClientLogger(log) });
    availability = new Availability({
      setNetworkAvailable: (available) => session.setNetworkAvailable(available),
      reconnectNow: () => void session.request('reconnectNow', {}),
    });
    reportServer(session, parent);
    forwardAttention(session, (message) => parent.postMessage(message));
    log.info({ pid: process.pid }, 'session core started');
    parent.postMessage({ type: 'ready' });
    return session;
  };

  const shutdown = async () => {
    try {
      if (core) await (await core).close();
      log?.info({}, 'session core stopped');
    } catch (err) {
      log?.error({ error: (err as Error).message }, 'the session core did not close cleanly');
    } finally {
      log?.flush?.();
      options.exit(0);
    }
  };

  parent.on('message', ({ data, ports }) => {
    const parsed = ToUtility.safeParse(data);
    if (!parsed.success) return reject('validation_failed', describeIssues(parsed.error.issues));
    const message = parsed.data;
    switch (message.type) {
      case 'start':
        if (core) return reject('conflict', 'the core is already started');
        core = start(message);
        core.catch((err: unknown) => {
          log?.error({ error: (err as Error).message }, 'the session core could not open');
          log?.flush?.();
          options.exit(1);
        });
        return resolveCore(core);
      case 'attach': {
        const port = ports[0];
        if (!port || ports.length !== 1) return reject('bad_request', 'attach carries exactly one port');
        const detach = serveSession(coreReady, port);
        // A window that closed (or reloaded) ends only its own view of the core.
        port.on('close', detach);
        return;
      }
      case 'power':
        return availability ? availability.power(message.event) : reject('conflict', 'not started');
      case 'network':
        return availability ? availability.network(message.online) : reject('conflict', 'not started');
      case 'shutdown':
        return void shutdown();
      case 'focus':
        return void coreReady.then((session) => session.setWindowFocused(message.focused));
      case 'reply': {
        const { channelId, text, clientId } = message;
        return void act('send a notification reply', async (session) => {
          // A core that has just (re)started may not have listed the conversation yet.
          await listed(session, channelId, LISTED_WAIT_MS);
          await session.request('send', { channelId, text, clientId });
        });
      }
      case 'mark-read':
        return void act('mark a conversation read', (session) =>
          session.request('markRead', { channelId: message.channelId, seq: message.seq }),
        );
      case 'server-moved':
        return void act('follow the server to its new address', (session) =>
          session.relocate(message.from, message.to),
        );
      case 'dnd':
        return void act('change do not disturb', (session) =>
          session.request('setPreferences', { dnd: message.dnd ?? undefined }),
        );
    }
  });

  /** Something main asked of the core on the person's behalf; a refusal goes to the log. */
  const act = async (what: string, run: (session: SessionCore) => Promise<unknown>) => {
    try {
      await run(await coreReady);
    } catch (err) {
      const { code, message } = err as { code?: string; message?: string };
      log?.warn({ code, error: message }, `could not ${what}`);
    }
  };
}

/** How long a reply waits for its conversation to be listed before it is tried (and refused) anyway. */
const LISTED_WAIT_MS = 15_000;

/** Resolves once the core lists the channel, or after `timeoutMs`. */
function listed(session: SessionCore, channelId: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      off();
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    const off = session.on('channels', (channels) => {
      if (channels.some((c) => c.id === channelId)) done();
    });
    void session.request('getSnapshot', {}).then(({ channels }) => {
      if (channels.some((c) => c.id === channelId)) done();
    });
  });
}

/** Tells main which server the core talks to, and its version, each time it comes online (About). */
function reportServer(session: SessionCore, parent: ParentPortLike): void {
  let reported: string | null = null;
  session.on('connection', (state) => {
    if (state.status !== 'online') return;
    void session.request('getSnapshot', {}).then(async ({ serverUrl }) => {
      if (serverUrl === reported) return;
      reported = serverUrl;
      const status = await session.request('authStatus', {}).catch(() => null);
      parent.postMessage({ type: 'server', url: serverUrl, version: status?.version ?? null });
    });
  });
}

// The desktop app's session: the core runs in a utility process and main hands this window a port
// to it — a new one after every restart of the core. DesktopSession gives the UI one SessionApi
// across those ports: while the core restarts the UI sees "reconnecting", requests wait for the
// next port, and once it arrives the UI gets a fresh snapshot and the conversations it had open (the
// new core also hears which of them the reader is reading the history of).
import {
  EVENT_NAMES,
  SessionClient,
  type PortLike,
  type RequestMethod,
  type RequestParams,
  type RequestResults,
  type SessionApi,
  type SessionClientOptions,
  type SessionEventName,
  type SessionEvents,
} from '@switchboard/client/browser';
import { SwitchboardError } from '@switchboard/protocol';
import {
  PAGE_MESSAGE,
  type CoreStatus,
  type DeepLinkTarget,
  type LocalServerInfo,
  type PageMessage,
  type ServerSummary,
} from '@switchboard/protocol/desktop';

type Handler = (payload: never) => void;

/** How long a request waits for the core to come back before it fails. */
const WAIT_FOR_CORE_MS = 60_000;

export class DesktopSession implements SessionApi {
  private client: SessionClient | null = null;

  /** `clientOptions` go to each port's SessionClient (in the page: paced by its paints). */
  constructor(private readonly clientOptions: SessionClientOptions = {}) {}

  private readonly handlers = new Map<SessionEventName, Set<Handler>>();
  /** Conversations this window opened: a restarted core is asked for them again. */
  private readonly opened = new Set<string>();
  /** Conversations whose history this window's reader is reading (setFollowing): a restarted core is told again. */
  private readonly reading = new Set<string>();
  private waiters: ((client: SessionClient | null) => void)[] = [];

  /** A port from main: the first one, or a fresh one after the core restarted. */
  attach(port: PortLike): void {
    this.client?.close();
    const client = new SessionClient(port, this.clientOptions);
    this.client = client;
    for (const name of EVENT_NAMES)
      client.on(name, (payload) => this.emit(name, payload as SessionEvents[typeof name]));
    void this.resync(client);
    for (const wake of this.waiters.splice(0)) wake(client);
  }

  /** What main says about the core: restarting (show it as reconnecting) or running. */
  coreStatus(status: CoreStatus): void {
    if (status.state === 'running') return;
    // The old port leads nowhere now; its pending requests fail with `unavailable`.
    this.client?.close();
    this.client = null;
    if (status.state === 'restarting')
      this.emit('connection', {
        status: 'reconnecting',
        retryAt: status.retryAt,
        attempt: status.attempt,
        reason: 'core-restarting',
      });
  }

  async request<M extends RequestMethod>(method: M, params: RequestParams<M>): Promise<RequestResults[M]> {
    if (method === 'openChannel') this.opened.add((params as RequestParams<'openChannel'>).channelId);
    if (method === 'leaveChannel') this.opened.delete((params as RequestParams<'leaveChannel'>).channelId);
    if (method === 'setFollowing') {
      const { channelId, following } = params as RequestParams<'setFollowing'>;
      if (following) this.reading.delete(channelId);
      else this.reading.add(channelId);
      // Between cores: the next one hears where the reader is when it resyncs, once.
      if (!this.client) return null as RequestResults[M];
    }
    const client = this.client ?? (await this.nextClient());
    return client.request(method, params);
  }

  on<E extends SessionEventName>(name: E, handler: (payload: SessionEvents[E]) => void): () => void {
    let set = this.handlers.get(name);
    if (!set) this.handlers.set(name, (set = new Set()));
    set.add(handler as Handler);
    return () => set.delete(handler as Handler);
  }

  private emit<E extends SessionEventName>(name: E, payload: SessionEvents[E]): void {
    for (const handler of this.handlers.get(name) ?? []) (handler as (p: SessionEvents[E]) => void)(payload);
  }

  private nextClient(): Promise<SessionClient> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        reject(new SwitchboardError('unavailable', 'the background process did not come back in time'));
      }, WAIT_FOR_CORE_MS);
      const wake = (client: SessionClient | null) => {
        clearTimeout(timer);
        if (client) resolve(client);
      };
      this.waiters.push(wake);
    });
  }

  /** Brings the UI up to date with a (re)started core. */
  private async resync(client: SessionClient): Promise<void> {
    try {
      const snapshot = await client.request('getSnapshot', {});
      if (client !== this.client) return;
      this.emit('snapshot', snapshot);
      for (const channelId of this.reading)
        await client.request('setFollowing', { channelId, following: false });
      for (const channelId of this.opened) {
        const { messages } = await client.request('openChannel', { channelId });
        if (client === this.client) this.emit('messages', { channelId, messages });
      }
    } catch {
      // The core went away again; the next port resyncs.
    }
  }
}

export interface DesktopHandOver {
  readonly session: DesktopSession;
  /** Resolves when the first port has arrived. */
  readonly firstPort: Promise<void>;
  /** The core's status as main reports it; the listener hears the latest at once. */
  onStatus(listener: (status: CoreStatus) => void): () => void;
  onDeepLink(listener: (target: DeepLinkTarget) => void): () => void;
  /** The server list as main reports it; the listener hears the latest at once. */
  onServers(listener: (servers: ServerSummary[]) => void): () => void;
  /** The server on this computer, whenever it changes. */
  onLocalServer(listener: (info: LocalServerInfo) => void): () => void;
}

/** Listeners that hear each value, and the latest one at once when they start listening. */
function latest<T>() {
  let value: T | null = null;
  const listeners = new Set<(value: T) => void>();
  return {
    set(next: T) {
      value = next;
      for (const listener of listeners) listener(next);
    },
    listen(listener: (value: T) => void): () => void {
      listeners.add(listener);
      if (value !== null) listener(value);
      return () => listeners.delete(listener);
    },
  };
}

const isPageMessage = (data: unknown): data is PageMessage =>
  typeof data === 'object' && data !== null && (data as { source?: unknown }).source === PAGE_MESSAGE;

/**
 * Takes what the preload posts to this window (its port, the core's status, deep links): only
 * messages from this very window and origin with the desktop marker count.
 */
export function desktopHandOver(target: Window, clientOptions: SessionClientOptions = {}): DesktopHandOver {
  const session = new DesktopSession(clientOptions);
  let status: CoreStatus | null = null;
  const statusListeners = new Set<(status: CoreStatus) => void>();
  const linkListeners = new Set<(target: DeepLinkTarget) => void>();
  const servers = latest<ServerSummary[]>();
  const localServer = latest<LocalServerInfo>();
  let arrived!: () => void;
  const firstPort = new Promise<void>((resolve) => (arrived = resolve));

  target.addEventListener('message', (event: MessageEvent) => {
    if (event.source !== target || event.origin !== target.location.origin || !isPageMessage(event.data))
      return;
    const message = event.data;
    switch (message.kind) {
      case 'session-port': {
        const port = event.ports[0];
        if (!port) return;
        session.attach(port);
        return arrived();
      }
      case 'core-status':
        status = message.status;
        session.coreStatus(message.status);
        for (const listener of statusListeners) listener(message.status);
        return;
      case 'deep-link':
        for (const listener of linkListeners) listener(message.target);
        return;
      case 'servers':
        return servers.set(message.servers);
      case 'local-server':
        return localServer.set(message.info);
    }
  });

  return {
    session,
    firstPort,
    onStatus(listener) {
      statusListeners.add(listener);
      if (status) listener(status);
      return () => statusListeners.delete(listener);
    },
    onDeepLink(listener) {
      linkListeners.add(listener);
      return () => linkListeners.delete(listener);
    },
    onServers: servers.listen,
    onLocalServer: localServer.listen,
  };
}

// The session contract over a message port: `serveSession` on the core's side, `SessionClient` on
// the UI's, and what goes over it when. Both ends parse every frame they receive (contract.ts): on
// the core's side the frame and its method name here, its params in the core itself
// (SessionCore.request), once; on the UI's side each event's payload and each result. A bad frame
// gets an error answer or is dropped, and never takes either side down.
//
// The one batching stage between the core and a UI is here too (EventBatcher, one per port): while
// the UI is still busy with what it was last sent, the messages and channel lists the core tells are
// merged — each message once, by display key, in its latest state; only the latest channel list —
// and go out together once the UI says it has caught up (a `ready` frame; a browser UI sends it when
// it next paints). So a burst of thousands of incoming messages reaches a busy UI as one batch per
// frame, an idle UI at once (with whatever else the same change caused), and a UI that never says
// `ready` still every MAX_WAIT_MS. Other events go out at once, after whatever was waiting, so the UI
// sees everything in the order it happened. Each send is one frame, which the UI handles in one go.
import { SwitchboardError } from '@switchboard/protocol';
import {
  EVENT_NAMES,
  Events,
  Frame,
  isEventName,
  isRequestMethod,
  Results,
  type RequestMethod,
  type RequestParams,
  type RequestResults,
  type SessionApi,
  type SessionEventName,
  type SessionEvents,
} from './contract.ts';
import { systemClock, type Clock } from './connection.ts';
import { displayKey, displayOrder, type DisplayMessage } from './display.ts';
import { Emitter } from './emitter.ts';
import { asSwitchboardError, fromErrorBody, validationError } from './errors.ts';

type MessageListener = (event: { data?: unknown }) => void;

/**
 * What a port needs to offer: a browser MessagePort or Worker, a dedicated worker's global scope,
 * a Node worker_threads MessagePort (addEventListener), or Electron's MessagePortMain (on + start).
 */
export interface PortLike {
  postMessage(message: unknown): void;
  addEventListener?(type: 'message', listener: (event: Event & { data?: unknown }) => void): void;
  removeEventListener?(type: 'message', listener: (event: Event & { data?: unknown }) => void): void;
  on?(type: 'message', listener: MessageListener): unknown;
  off?(type: 'message', listener: MessageListener): unknown;
  start?(): void;
}

/** Listens for messages on any PortLike; returns the function that stops listening. */
function listen(port: PortLike, receive: (data: unknown) => void): () => void {
  const listener: MessageListener = (event) => receive(event?.data);
  if (port.addEventListener) {
    port.addEventListener('message', listener);
    port.start?.();
    return () => port.removeEventListener?.('message', listener);
  }
  if (port.on) {
    port.on('message', listener);
    port.start?.();
    return () => port.off?.('message', listener);
  }
  throw new TypeError('not a message port: it has neither addEventListener nor on');
}

/** A closed or broken port must not break the sender. */
function post(port: PortLike, frame: Frame): void {
  try {
    port.postMessage(frame);
  } catch {
    // The other side is gone; nothing to tell.
  }
}

/** The longest a batch waits for a UI that has not said it is ready. */
export const MAX_WAIT_MS = 250;

interface ChannelBatch {
  messages: Map<string, DisplayMessage>;
  removed: Set<string>;
  reset: boolean;
  hasOlder?: boolean;
}

/** One event as it goes out. */
export type OutgoingEvent = {
  [E in SessionEventName]: { name: E; payload: SessionEvents[E] };
}[SessionEventName];

/** Sends events together, to be handled in one go. */
export type SendEvents = (events: OutgoingEvent[]) => void;

export class EventBatcher {
  private readonly channels = new Map<string, ChannelBatch>();
  private channelList: SessionEvents['channels'] | null = null;
  /** Sends made, and how many of them the UI has said it handled. */
  private sent = 0;
  private handled = 0;
  private timer: unknown = null;
  /** A look at what gathered is due once the current change is done (a microtask). */
  private due = false;

  constructor(
    private readonly send: SendEvents,
    private readonly clock: Clock = systemClock,
  ) {}

  /** An event from the core, on its way to the UI. */
  push<E extends SessionEventName>(name: E, payload: SessionEvents[E]): void {
    if (name === 'messages') this.merge(payload as SessionEvents['messages']);
    else if (name === 'channels') this.channelList = payload as SessionEvents['channels'];
    else {
      this.flush([{ name, payload } as OutgoingEvent]);
      return;
    }
    if (this.due) return;
    this.due = true;
    // Everything one change causes (its messages, the channel counts) goes out together.
    queueMicrotask(() => {
      this.due = false;
      if (this.handled >= this.sent) this.flush();
      else this.timer ??= this.clock.setTimeout(() => this.flush(), MAX_WAIT_MS);
    });
  }

  /** The UI has handled the first `count` sends it got. */
  ready(count: number): void {
    this.handled = Math.max(this.handled, count);
    if (this.handled >= this.sent) this.flush();
  }

  /** Sends whatever is waiting, then `after`, in one send. */
  flush(after: OutgoingEvent[] = []): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const events: OutgoingEvent[] = [];
    if (this.channelList) events.push({ name: 'channels', payload: this.channelList });
    this.channelList = null;
    for (const [channelId, batch] of this.channels) {
      const payload: SessionEvents['messages'] = {
        channelId,
        messages: [...batch.messages.values()].sort(displayOrder),
      };
      if (batch.removed.size > 0) payload.removed = [...batch.removed];
      if (batch.reset) payload.reset = true;
      if (batch.hasOlder !== undefined) payload.hasOlder = batch.hasOlder;
      events.push({ name: 'messages', payload });
    }
    this.channels.clear();
    events.push(...after);
    if (events.length === 0) return;
    this.sent += 1;
    this.send(events);
  }

  /** Drops whatever is waiting (the UI went away). */
  clear(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.channels.clear();
    this.channelList = null;
  }

  /** Later changes win: removals apply before upserts, a reset replaces all that waited. */
  private merge({ channelId, messages, removed = [], reset, hasOlder }: SessionEvents['messages']): void {
    let batch = this.channels.get(channelId);
    if (!batch || reset) {
      batch = { messages: new Map(), removed: new Set(), reset: reset === true };
      this.channels.set(channelId, batch);
    }
    if (hasOlder !== undefined) batch.hasOlder = hasOlder;
    for (const key of removed) {
      batch.messages.delete(key);
      if (!batch.reset) batch.removed.add(key);
    }
    for (const m of messages) {
      const key = displayKey(m);
      batch.messages.set(key, m);
      batch.removed.delete(key);
    }
  }
}

/**
 * Answers the requests that arrive on `port` with `core` and forwards the core's events to it, through
 * a batcher paced by the UI's `ready` frames (EventBatcher). `core` may still be opening: frames that
 * arrive meanwhile wait for it. Returns a detach function, which a `bye` frame from the other side
 * also calls.
 */
export function serveSession(core: SessionApi | Promise<SessionApi>, port: PortLike): () => void {
  const ready = Promise.resolve(core);
  let detached = false;
  const unsubscribe: (() => void)[] = [];
  /**
   * How many times this UI said its reader left each channel's newest messages (setFollowing) and
   * did not say they were back: a UI that goes (a window reloaded or closed while its reader read
   * history) says it here, or the core would hold that channel whole for good.
   */
  const reading = new Map<string, number>();
  const batcher = new EventBatcher((events) => post(port, { type: 'events', events }));
  ready.then(
    (session) => {
      if (detached) return;
      for (const name of EVENT_NAMES) {
        unsubscribe.push(session.on(name, (payload) => batcher.push(name, payload)));
      }
    },
    () => {
      // A core that failed to open answers every request with its error (below).
    },
  );

  const fail = (id: number, error: SwitchboardError) => {
    // Anonymous object type: it carries every field of the body (retryAfter, issues) to the UI.
    const body: { code: string; message: string } = error.toBody();
    post(port, { type: 'response', id, ok: false, error: body });
  };

  const receive = async (data: unknown): Promise<void> => {
    const frame = Frame.safeParse(data);
    if (!frame.success) {
      const id = (data as { id?: unknown } | null)?.id;
      const answerId = typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : 0;
      return fail(answerId, validationError('malformed frame', 'frame', frame.error));
    }
    if (frame.data.type === 'bye') return detach();
    if (frame.data.type === 'ready') return batcher.ready(frame.data.frames);
    if (frame.data.type !== 'request') {
      return fail(
        0,
        new SwitchboardError(
          'bad_request',
          `the session core only takes requests, not ${frame.data.type} frames`,
        ),
      );
    }
    const { id, method, params } = frame.data;
    if (!isRequestMethod(method))
      return fail(id, new SwitchboardError('bad_request', `unknown method "${method}"`));
    try {
      const session = await ready;
      // Unchecked here: the core checks every request's params as they reach it.
      const result = await session.request(method, params as RequestParams<typeof method>);
      // The core took it, so its params are valid.
      if (method === 'setFollowing') countReading(params as RequestParams<'setFollowing'>);
      post(port, { type: 'response', id, ok: true, data: result });
    } catch (err) {
      fail(id, asSwitchboardError(err));
    }
  };

  const countReading = ({ channelId, following }: RequestParams<'setFollowing'>) => {
    const count = (reading.get(channelId) ?? 0) + (following ? -1 : 1);
    if (count > 0) reading.set(channelId, count);
    else reading.delete(channelId);
  };

  const stopListening = listen(port, (data) => void receive(data));
  const detach = () => {
    if (detached) return;
    detached = true;
    stopListening();
    for (const off of unsubscribe.splice(0)) off();
    batcher.clear();
    const left = [...reading].flatMap(([channelId, count]) => Array<string>(count).fill(channelId));
    reading.clear();
    // A core that failed to open, or was signed out meanwhile (its views forgot every channel), holds nothing.
    void ready
      .then((session) =>
        Promise.all(left.map((channelId) => session.request('setFollowing', { channelId, following: true }))),
      )
      .catch(() => undefined);
  };
  return detach;
}

interface Pending {
  method: RequestMethod;
  resolve: (data: unknown) => void;
  reject: (err: SwitchboardError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Long enough for a sign-in against a slow password hash on a busy server. */
const DEFAULT_TIMEOUT_MS = 60_000;

/** The UI's handle on a session core behind a port. */
export interface SessionClientOptions {
  timeoutMs?: number;
  /**
   * When to hand the events that arrived to the UI: `run` does, and then tells the core they are
   * handled, so it sends what has gathered since (EventBatcher). A browser page passes `nextPaint`
   * (dom/browser.ts): the UI takes each batch at the start of a frame, and the next batch is not sent
   * before the UI has painted this one. Left out, at once.
   */
  pace?: (run: () => void) => void;
}

export class SessionClient implements SessionApi {
  private readonly events = new Emitter<SessionEvents>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly stopListening: () => void;
  /** Event frames received and not yet handed over; with the core's pacing, rarely more than one. */
  private arrived: Frame[] = [];
  private framesReceived = 0;
  private closed = false;

  constructor(
    private readonly port: PortLike,
    private readonly options: SessionClientOptions = {},
  ) {
    this.stopListening = listen(port, (data) => this.receive(data));
  }

  request<M extends RequestMethod>(method: M, params: RequestParams<M>): Promise<RequestResults[M]> {
    const id = this.nextId++;
    return new Promise<RequestResults[M]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SwitchboardError('unavailable', `the session did not answer ${method} in time`));
      }, this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      this.pending.set(id, { method, resolve: resolve as (data: unknown) => void, reject, timer });
      post(this.port, { type: 'request', id, method, params });
    });
  }

  on<E extends SessionEventName>(name: E, handler: (payload: SessionEvents[E]) => void): () => void {
    return this.events.on(name, handler);
  }

  /**
   * Says bye to the core, which stops serving this port, and stops listening; requests still
   * waiting fail with `unavailable`.
   */
  close(): void {
    this.closed = true;
    post(this.port, { type: 'bye' });
    this.stopListening();
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new SwitchboardError('unavailable', 'the session was closed'));
      this.pending.delete(id);
    }
    this.events.clear();
  }

  private receive(data: unknown): void {
    const parsed = Frame.safeParse(data);
    if (!parsed.success) return;
    const frame = parsed.data;
    if (frame.type === 'response') {
      const pending = this.pending.get(frame.id);
      if (!pending) return;
      this.pending.delete(frame.id);
      clearTimeout(pending.timer);
      if (frame.ok) {
        const result = Results[pending.method].safeParse(frame.data);
        if (result.success) pending.resolve(result.data);
        else
          pending.reject(
            new SwitchboardError(
              'internal',
              `the session answered ${pending.method} with data this app does not understand`,
            ),
          );
      } else
        pending.reject(
          fromErrorBody(
            frame.error ?? { code: 'internal', message: 'the session failed without saying why' },
          ),
        );
    } else if (frame.type === 'events') {
      this.framesReceived += 1;
      this.arrived.push(frame);
      if (this.arrived.length === 1)
        (this.options.pace ?? ((run: () => void) => run()))(() => this.handOver());
    }
  }

  /** Hands what arrived to the handlers, in order, and tells the core how far the UI has got. */
  private handOver(): void {
    const frames = this.arrived;
    this.arrived = [];
    if (this.closed) return;
    for (const frame of frames) {
      if (frame.type !== 'events') continue;
      for (const { name, payload } of frame.events) {
        if (!isEventName(name)) continue;
        const parsed = Events[name].safeParse(payload);
        if (parsed.success) this.events.emit(name, parsed.data as SessionEvents[typeof name]);
      }
    }
    post(this.port, { type: 'ready', frames: this.framesReceived });
  }
}

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { User } from '@switchboard/protocol';
import { channelSummary, stored } from '../../../tests/support/fixtures.ts';
import type {
  RequestMethod,
  RequestResults,
  SessionEventName,
  SessionEvents,
  SessionSnapshot,
} from '@switchboard/client/browser';
import type { DisplayMessage, SessionClient } from '../session/types.ts';
import { SessionStore, TYPING_TTL_MS } from './store.ts';

const me: User = {
  id: 'u-me',
  username: 'me',
  displayName: 'Me',
  isAdmin: false,
  deactivated: false,
  createdAt: 0,
};
const channel = channelSummary('c1', { name: 'general' });

function snapshot(user: User | null = me): SessionSnapshot {
  return {
    serverUrl: 'http://127.0.0.1:1',
    user,
    connection: { status: 'online' },
    channels: [channel],
    users: [],
    preferences: { theme: 'dark' },
    limits: { maxPayloadBytes: 65_536, maxMessageLength: 500 },
    threads: [],
    topics: [],
  };
}

function message(over: Partial<DisplayMessage> & { clientId: string }): DisplayMessage {
  const { delivery = 'sent', ...rest } = over;
  return { ...stored(rest), delivery };
}

/** A session that answers from fixed results and lets the test push events. */
class ScriptedSession implements SessionClient {
  private readonly handlers = new Map<string, Set<(payload: never) => void>>();
  readonly events = {
    emit: <E extends SessionEventName>(name: E, payload: SessionEvents[E]) => {
      for (const handler of this.handlers.get(name) ?? [])
        (handler as (p: SessionEvents[E]) => void)(payload);
    },
  };
  results: Partial<{ [M in RequestMethod]: RequestResults[M] }> = { getSnapshot: snapshot() };
  /** Answers wait for this while it is set. */
  held: Promise<void> | null = null;

  /** Every request made, in order. */
  readonly asked: { method: RequestMethod; params: unknown }[] = [];

  async request<M extends RequestMethod>(method: M, params?: unknown): Promise<RequestResults[M]> {
    this.asked.push({ method, params });
    await this.held;
    if (!(method in this.results)) throw new Error(`unexpected ${method}`);
    return this.results[method] as RequestResults[M];
  }

  on<E extends SessionEventName>(name: E, handler: (payload: SessionEvents[E]) => void): () => void {
    const handlers = this.handlers.get(name) ?? new Set();
    this.handlers.set(name, handlers.add(handler as (payload: never) => void));
    return () => handlers.delete(handler as (payload: never) => void);
  }
}

describe('SessionStore', () => {
  let session: ScriptedSession;
  let store: SessionStore;
  const texts = () => store.getState().views.c1?.messages.map((m) => `${m.text}:${m.delivery}`);
  const settle = () => vi.advanceTimersByTimeAsync(60);

  beforeEach(async () => {
    vi.useFakeTimers();
    session = new ScriptedSession();
    store = new SessionStore(session);
    await store.start();
    await settle();
  });

  afterEach(() => {
    store.stop();
    vi.useRealTimers();
  });

  it('leaves thread replies kept to their thread out of the channel’s log', async () => {
    session.results.openChannel = {
      messages: [
        message({ clientId: 'root', id: 'root', seq: 1 }),
        message({ clientId: 'only-in-thread', seq: 2, parentId: 'root' }),
        message({ clientId: 'also-in-channel', seq: 3, parentId: 'root', alsoInChannel: true }),
      ],
      hasOlder: false,
    };
    await store.openChannel('c1');
    session.events.emit('messages', {
      channelId: 'c1',
      messages: [message({ clientId: 'live-reply', seq: 4, parentId: 'root' })],
    });
    await settle();
    expect(store.getState().views.c1?.messages.map((m) => m.clientId)).toEqual(['root', 'also-in-channel']);
  });

  it('shows the opened page, then lists a stored copy in place of its outbox entry exactly once', async () => {
    session.results.openChannel = {
      messages: [message({ clientId: 'a', seq: 1 }), message({ clientId: 'b', seq: 2 })],
      hasOlder: true,
    };
    await store.openChannel('c1');
    const pending = message({
      clientId: 'mine',
      id: 'mine',
      seq: 0,
      changeSeq: 0,
      authorId: me.id,
      delivery: 'pending',
      ts: 5,
    });
    session.events.emit('messages', { channelId: 'c1', messages: [pending] });
    await settle();
    expect(texts()).toEqual(['a:sent', 'b:sent', 'mine:pending']);
    expect(store.getState().views.c1?.hasOlder).toBe(true);

    // Someone else's message lands first; ours is stored after it and takes the entry's place.
    session.events.emit('messages', { channelId: 'c1', messages: [message({ clientId: 'c', seq: 3 })] });
    session.events.emit('messages', {
      channelId: 'c1',
      messages: [message({ clientId: 'mine', id: 'm-mine', seq: 4, authorId: me.id })],
    });
    await settle();
    expect(texts()).toEqual(['a:sent', 'b:sent', 'c:sent', 'mine:sent']);
  });

  it('shows a channel only once openChannel has answered whether older pages exist', async () => {
    // The core tells the page it loads as an event, which can reach the page before its answer.
    const page = [message({ clientId: 'a', seq: 11 }), message({ clientId: 'b', seq: 12 })];
    session.results.openChannel = { messages: page, hasOlder: true };
    let answer!: () => void;
    session.held = new Promise((resolve) => (answer = resolve));
    const opening = store.openChannel('c1');
    session.events.emit('messages', { channelId: 'c1', messages: page });
    await settle();
    expect(store.getState().views.c1).toBeUndefined();

    answer();
    await opening;
    expect(texts()).toEqual(['a:sent', 'b:sent']);
    expect(store.getState().views.c1?.hasOlder).toBe(true);
  });

  it('never lets an older copy replace a newer change, and drops discarded entries', async () => {
    session.results.openChannel = { messages: [], hasOlder: false };
    await store.openChannel('c1');
    session.events.emit('messages', {
      channelId: 'c1',
      messages: [message({ clientId: 'a', seq: 1, changeSeq: 5, text: 'edited' })],
    });
    session.events.emit('messages', {
      channelId: 'c1',
      messages: [message({ clientId: 'a', seq: 1, changeSeq: 1, text: 'original' })],
    });
    const failed = message({
      clientId: 'f',
      id: 'f',
      seq: 0,
      changeSeq: 0,
      authorId: me.id,
      delivery: 'failed',
      ts: 9,
    });
    session.events.emit('messages', { channelId: 'c1', messages: [failed] });
    await settle();
    expect(texts()).toEqual(['edited:sent', 'f:failed']);

    session.events.emit('messages', { channelId: 'c1', messages: [], removed: [`${me.id}/f`] });
    await settle();
    expect(texts()).toEqual(['edited:sent']);
  });

  it('replaces everything on a reset', async () => {
    session.results.openChannel = { messages: [message({ clientId: 'old', seq: 1 })], hasOlder: false };
    await store.openChannel('c1');
    session.events.emit('messages', {
      channelId: 'c1',
      messages: [message({ clientId: 'new', seq: 90 })],
      reset: true,
    });
    await settle();
    expect(texts()).toEqual(['new:sent']);
  });

  it('lets go of the oldest messages the core let go, and can load them again', async () => {
    session.results.openChannel = {
      messages: [1, 2, 3, 4].map((seq) => message({ clientId: `m${seq}`, seq })),
      hasOlder: false,
    };
    await store.openChannel('c1');
    session.events.emit('messages', {
      channelId: 'c1',
      messages: [message({ clientId: 'm5', seq: 5 })],
      removed: ['u-other/m1', 'u-other/m2'],
      hasOlder: true,
    });
    await settle();
    expect(texts()).toEqual(['m3:sent', 'm4:sent', 'm5:sent']);
    expect(store.getState().views.c1?.hasOlder).toBe(true);

    session.results.loadOlder = {
      messages: [1, 2].map((seq) => message({ clientId: `m${seq}`, seq })),
      hasOlder: false,
    };
    expect(await store.loadOlder('c1')).toBe(1);
    expect(texts()).toEqual(['m1:sent', 'm2:sent', 'm3:sent', 'm4:sent', 'm5:sent']);
  });

  it('tells the core each time the reader leaves or comes back to the newest messages, once', async () => {
    session.results.setFollowing = null;
    const follows = () => session.asked.filter((a) => a.method === 'setFollowing').map((a) => a.params);
    store.follow('c1', true); // never left: nothing to say
    store.follow('c1', false);
    store.follow('c1', false);
    store.follow('c2', false);
    store.follow('c1', true);
    store.follow('c1', true);
    expect(follows()).toEqual([
      { channelId: 'c1', following: false },
      { channelId: 'c2', following: false },
      { channelId: 'c1', following: true },
    ]);
  });

  it('publishes each event once, as it arrives (the core has batched them already)', async () => {
    session.results.openChannel = { messages: [], hasOlder: false };
    await store.openChannel('c1');
    const listener = vi.fn();
    store.subscribe(listener);
    for (let seq = 1; seq <= 100; seq++) {
      session.events.emit('messages', { channelId: 'c1', messages: [message({ clientId: `m${seq}`, seq })] });
    }
    expect(listener).toHaveBeenCalledTimes(100);
    expect(store.getState().views.c1?.messages).toHaveLength(100);
  });

  it('shows who is typing until their message arrives or the indicator expires', async () => {
    session.events.emit('typing', { channelId: 'c1', userId: 'u-other' });
    session.events.emit('typing', { channelId: 'c1', userId: 'u-third' });
    session.events.emit('typing', { channelId: 'c1', userId: me.id });
    await settle();
    expect(Object.keys(store.getState().typing.c1 ?? {}).sort()).toEqual(['u-other', 'u-third']);

    session.events.emit('messages', {
      channelId: 'c1',
      messages: [message({ clientId: 'x', authorId: 'u-other' })],
    });
    await settle();
    expect(Object.keys(store.getState().typing.c1 ?? {})).toEqual(['u-third']);

    await vi.advanceTimersByTimeAsync(TYPING_TTL_MS + 100);
    expect(store.getState().typing.c1).toBeUndefined();
  });

  it('keeps the preferences and limits of the snapshot, and follows preference changes', async () => {
    expect(store.getState()).toMatchObject({
      preferences: { theme: 'dark' },
      limits: { maxMessageLength: 500 },
    });
    session.events.emit('preferences', { theme: 'light', language: 'ko' });
    await settle();
    expect(store.getState().preferences).toEqual({ theme: 'light', language: 'ko' });
  });

  it('forgets what another account saw', async () => {
    session.results.openChannel = { messages: [message({ clientId: 'a' })], hasOlder: false };
    await store.openChannel('c1');
    await settle();
    session.events.emit('snapshot', snapshot({ ...me, id: 'u-someone-else' }));
    await settle();
    expect(store.getState().views).toEqual({});
    expect(store.getState().user?.id).toBe('u-someone-else');
  });
});

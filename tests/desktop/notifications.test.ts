// Notifications on the desktop, through the real session core in its utility process (the real entry
// in a Node child behind the parentPort shim), driven by main's own CoreHost, against a real server:
// the core's decisions reach main over the control channel with the tray's totals, and what main
// sends back — an inline reply (once, however often), mark as read, do not disturb, window focus —
// acts on the account.
import { afterEach, describe, expect, it } from 'vitest';
import { whenOnline, type SessionNotification } from '@switchboard/client/node';
import type { AttentionMessage } from '../../main/src/core/core-host.ts';
import { replyClientId } from '../../main/src/app/notifier.ts';
import { postMessage, sharedChannel } from '../support/session.ts';
import { api, createUser, type TestUser } from '../support/server.ts';
import { useTestServer } from '../support/lifecycle.ts';
import { withToken } from '../support/topics.ts';
import { startDesktopCore, TestWindow, until, type DesktopCore } from '../support/desktop-host.ts';

const { server } = useTestServer();
const running: DesktopCore[] = [];
afterEach(async () => {
  for (const core of running.splice(0)) await core.stop();
});

let n = 0;
async function setup() {
  n += 1;
  const alice = await createUser(server, `nalice${n}`);
  const bob = await createUser(server, `nbob${n}`);
  const ops = await sharedChannel(server, alice, [bob], `notify-${n}`);
  const dm = (
    await api(server.url, 'POST', '/api/v1/directs', { token: bob.token, json: { userId: alice.user.id } })
  ).body.id as string;
  const core = startDesktopCore();
  running.push(core);
  const heard: AttentionMessage[] = [];
  core.host.onAttention((message) => heard.push(message));
  const window = new TestWindow(1);
  core.host.attachWindow(window);
  await window.session.request('setServer', { serverUrl: server.url });
  await window.session.request('signIn', { username: alice.user.username, password: alice.password });
  await whenOnline(window.session);
  await until(
    async () => (await window.session.request('getSnapshot', {})).channels.some((c) => c.id === dm),
    'the conversations listed',
  );
  const notifications = () =>
    heard
      .filter((m): m is Extract<AttentionMessage, { type: 'notification' }> => m.type === 'notification')
      .map((m) => m.notification);
  const totals = () => heard.filter((m) => m.type === 'attention').at(-1);
  return { alice, bob, ops, dm, core, window, heard, notifications, totals };
}

async function stored(who: TestUser, channelId: string, text: string): Promise<number> {
  const res = await api(server.url, 'GET', `/api/v1/channels/${channelId}/messages?limit=200`, {
    token: who.token,
  });
  return (res.body.messages as { text: string }[]).filter((m) => m.text === text).length;
}

describe('notifications from the utility process', () => {
  it('reach main with the totals for the tray; the window being away counts as not on screen', async () => {
    const { bob, ops, dm, core, window, notifications, totals } = await setup();
    // The page says the direct conversation is on screen in a focused window…
    await window.session.request('setFocus', { channelId: dm, focused: true });
    await postMessage(server, bob, dm, 'seen on screen');
    await until(
      () => totals()?.type === 'attention' && totals()!.mentions === 1,
      'the unread direct message counted',
    );
    expect(notifications()).toEqual([]);
    // …then main says the window went to the tray: the same conversation now notifies.
    core.host.setWindowFocused(false);
    await postMessage(server, bob, dm, 'the window is hidden');
    await postMessage(server, bob, ops, 'a plain one in the channel');
    await until(() => notifications().length === 1, 'the notification');
    expect(notifications()[0]).toMatchObject<Partial<SessionNotification>>({
      channelId: dm,
      reason: 'direct',
      preview: 'the window is hidden',
      conversation: bob.user.displayName,
    });
    await until(() => totals()?.type === 'attention' && totals()!.unread === 3, 'three unread');
    expect(totals()).toEqual({ type: 'attention', unread: 3, mentions: 2, dnd: null });
  });

  it("a followed topic's unread messages count in the tray's totals, unless it is muted", async () => {
    const { window, totals } = await setup();
    await window.session.request('followTopic', { topic: `tray-${n}` });
    const publisher = await withToken(server, `tpub${n}`);
    for (const text of ['disk 91%', 'disk 95%'])
      expect(
        (await fetch(`${server.url}/tray-${n}`, { method: 'POST', body: text, headers: publisher.bearer }))
          .status,
      ).toBe(200);
    await until(() => totals()?.type === 'attention' && totals()!.unread === 2, 'the topic counted');
    expect(totals()).toEqual({ type: 'attention', unread: 2, mentions: 0, dnd: null });
    // Muted (kept on the server): left out, as a muted conversation is; unmuted, counted again.
    await window.session.request('muteTopic', { topic: `tray-${n}`, muted: true });
    await until(() => totals()?.type === 'attention' && totals()!.unread === 0, 'the muted topic left out');
    await window.session.request('muteTopic', { topic: `tray-${n}`, muted: false });
    await until(() => totals()?.type === 'attention' && totals()!.unread === 2, 'the topic counted again');
  });

  it('an inline reply is stored once, even sent twice and again after the core restarted', async () => {
    const { alice, dm, bob, core, notifications } = await setup();
    core.host.setWindowFocused(false);
    await postMessage(server, bob, dm, 'lunch?');
    await until(() => notifications().length === 1, 'the notification');
    const clientId = replyClientId(notifications()[0]!.id);
    core.host.reply(dm, 'yes, at noon', clientId);
    core.host.reply(dm, 'yes, at noon', clientId);
    await until(async () => (await stored(alice, dm, 'yes, at noon')) === 1, 'the reply stored');
    core.current().crash();
    await until(
      () => core.children.length === 2 && core.host.state.status.state === 'running',
      'a restarted core',
      15_000,
    );
    core.host.reply(dm, 'yes, at noon', clientId);
    // Something later from the same place, to know the repeat has been through.
    core.host.reply(dm, 'see you', replyClientId('another notification'));
    await until(async () => (await stored(alice, dm, 'see you')) === 1, 'the later reply stored', 15_000);
    expect(await stored(alice, dm, 'yes, at noon')).toBe(1);
  });

  it('"Mark as read" reads the conversation, and the notification goes', async () => {
    const { bob, dm, core, heard, notifications, totals } = await setup();
    core.host.setWindowFocused(false);
    await postMessage(server, bob, dm, 'one');
    await until(() => notifications().length === 1, 'the notification');
    core.host.markRead(dm, notifications()[0]!.lastSeq);
    await until(() => heard.some((m) => m.type === 'notification-cleared' && m.channelId === dm), 'cleared');
    await until(() => totals()?.type === 'attention' && totals()!.unread === 0, 'nothing unread');
  });

  it('do not disturb from the tray is stored with the account and silences the core', async () => {
    const { alice, bob, dm, core, notifications, totals } = await setup();
    core.host.setWindowFocused(false);
    core.host.setDnd({ until: null });
    await until(async () => {
      const res = await api(server.url, 'GET', '/api/v1/me/preferences', { token: alice.token });
      return res.body.dnd?.until === null;
    }, 'do not disturb stored');
    await until(() => totals()?.type === 'attention' && totals()!.dnd !== null, 'the tray told');
    await postMessage(server, bob, dm, 'during do not disturb');
    await until(() => totals()?.type === 'attention' && totals()!.mentions === 1, 'counted');
    expect(notifications()).toEqual([]);
    core.host.setDnd(null);
    await until(() => totals()?.type === 'attention' && totals()!.dnd === null, 'off again');
    await postMessage(server, bob, dm, 'after do not disturb');
    await until(() => notifications().length === 1, 'notified again');
  });
});

// Main's notification plumbing end to end with fakes of Electron's classes: what the core's utility
// process says (through CoreHost, schema-checked) reaches the Notifier, the tray and the badge; what
// the person does with a notification or the tray goes back to the core.
import { beforeEach, describe, expect, it } from 'vitest';
import type { DeepLinkTarget } from '@switchboard/protocol/desktop';
import { CoreHost } from '../core/core-host.ts';
import {
  fakeChannel,
  fakeLauncher,
  FakeNotification,
  FakePort,
  fakeTotals,
  ManualTimers,
  directMessageNotification as notification,
  RecordingLog,
} from '../testing/fakes.ts';
import { notifierActions, routeAttention, setDndFromTray } from './attention.ts';
import { Notifier, replyClientId } from './notifier.ts';

function app(platform: NodeJS.Platform = 'darwin') {
  const timers = new ManualTimers();
  const log = new RecordingLog();
  const { children, launch } = fakeLauncher();
  const host = new CoreHost<FakePort>({
    launch,
    createChannel: fakeChannel,
    secrets: { load: () => null, save: () => {} },
    dataDir: '/data',
    logsDir: '/logs',
    log,
    timers,
  });
  host.start();
  const followed: DeepLinkTarget[] = [];
  const opened: string[] = [];
  let shown = 0;
  const notifier = new Notifier({
    create: (options) => new FakeNotification(options),
    platform,
    actions: notifierActions(host, {
      show: () => void shown++,
      follow: (target) => void followed.push(target),
      openExternal: (url) => void opened.push(url),
    }),
    log,
  });
  const { tray, badges, show } = fakeTotals(
    platform,
    timers,
    setDndFromTray(host, () => timers.now()),
  );
  routeAttention(host, { notifier, totals: show });
  const child = children[0]!;
  child.say({ type: 'server', url: 'https://chat.example.org', version: '1.0.0' });
  return { host, child, children, notifier, tray, badges, followed, opened, log, timers, shown: () => shown };
}

beforeEach(() => {
  FakeNotification.made.length = 0;
});

describe('notifications in main', () => {
  it('shows what the core sends; a click brings the window up at that message on that server', () => {
    const { child, followed, shown } = app();
    child.say({ type: 'notification', notification: notification('dm1', 'm1') });
    const made = FakeNotification.made;
    expect(made.map((n) => [n.options.title, n.options.body])).toEqual([['Bob', 'lunch?']]);
    made[0]!.click();
    expect(shown()).toBe(1);
    expect(followed).toEqual([
      { action: 'open', server: 'https://chat.example.org', channel: 'dm1', message: 'm1' },
    ]);
  });

  it('a followed topic’s notification opens its link outside the app, or else brings the window up on the topic', () => {
    const { child, followed, opened, shown } = app();
    const topic = (name: string, click: string | null) => ({
      ...notification(`topic:${name}`, `${name}-1`),
      conversation: name,
      reason: 'message',
      author: null,
      topic: { name, priority: 3, click, tags: [] },
    });
    child.say({ type: 'notification', notification: topic('backups', 'https://example.com/b/1') });
    child.say({ type: 'notification', notification: topic('ci', null) });
    const [withLink, withoutLink] = FakeNotification.made;
    withLink!.click();
    expect(opened).toEqual(['https://example.com/b/1']);
    expect(followed).toEqual([]);
    withoutLink!.click();
    expect(shown()).toBe(1);
    expect(followed).toEqual([{ action: 'topic', server: 'https://chat.example.org', topic: 'ci' }]);
  });

  it('an inline reply reaches the core once, however often the OS reports it, under the notification’s clientId', () => {
    const { child } = app('win32');
    child.say({ type: 'notification', notification: notification('dm1', 'm1') });
    const made = FakeNotification.made[0]!;
    made.reply('yes!');
    made.reply('yes!');
    expect(child.received.filter((r) => r.message.type === 'reply').map((r) => r.message)).toEqual([
      { type: 'reply', channelId: 'dm1', text: 'yes!', clientId: replyClientId('m1') },
    ]);
  });

  it('"Mark as read" and a notification read elsewhere', () => {
    const { child, notifier } = app('darwin');
    child.say({ type: 'notification', notification: notification('dm1', 'm1') });
    FakeNotification.made[0]!.action(0);
    expect(child.received.at(-1)!.message).toEqual({ type: 'mark-read', channelId: 'dm1', seq: 7 });
    child.say({ type: 'notification', notification: notification('dm2', 'm2') });
    child.say({ type: 'notification-cleared', channelId: 'dm2' });
    expect(FakeNotification.made[1]!.closed).toBe(true);
    expect(notifier.size).toBe(0);
  });

  it('totals reach the tray and the badge; do not disturb from the tray goes to the core', () => {
    const { child, tray, badges, timers } = app('darwin');
    child.say({ type: 'attention', unread: 3, mentions: 1, dnd: null });
    expect(tray.image).toBe('tray-mention-on-light.png');
    expect(tray.toolTip).toBe('Switchboard: 3 unread, 1 for you');
    expect(badges).toEqual(['1']);
    tray.choose('For 1 hour');
    expect(child.received.at(-1)!.message).toEqual({ type: 'dnd', dnd: { until: timers.now() + 3_600_000 } });
    tray.choose('Until I turn it off');
    expect(child.received.at(-1)!.message).toEqual({ type: 'dnd', dnd: { until: null } });
    tray.choose('Turn off');
    expect(child.received.at(-1)!.message).toEqual({ type: 'dnd', dnd: null });
  });

  it('refuses a malformed notification from the utility: nothing shown, logged', () => {
    const { child, log } = app();
    child.say({ type: 'notification', notification: { ...notification('dm1', 'm1'), reason: 'shouting' } });
    child.say({ type: 'attention', unread: -1, mentions: 0, dnd: null });
    expect(FakeNotification.made).toEqual([]);
    expect(log.messages('warn')).toEqual([
      'ignored a malformed message from the session core',
      'ignored a malformed message from the session core',
    ]);
  });

  it('tells the core whether the window is in front, and a restarted core what it missed', () => {
    const { host, child, children, timers } = app();
    host.setWindowFocused(false);
    host.setWindowFocused(false);
    expect(child.received.filter((r) => r.message.type === 'focus').map((r) => r.message)).toEqual([
      { type: 'focus', focused: false },
    ]);
    child.exit(1);
    timers.advance(1_000);
    expect(children[1]!.types()).toEqual(['start', 'focus']);
    host.setWindowFocused(true);
    expect(children[1]!.received.at(-1)!.message).toEqual({ type: 'focus', focused: true });
  });
});

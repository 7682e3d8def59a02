import { beforeEach, describe, expect, it } from 'vitest';
import type { SessionNotification } from '@switchboard/client/node';
import { FakeNotification, RecordingLog } from '../testing/fakes.ts';
import { Notifier, replyClientId, type NotifierActions } from './notifier.ts';

let next = 1;
function event(channelId: string, changes: Partial<SessionNotification> = {}): SessionNotification {
  const id = `m${next++}`;
  return {
    id,
    channelId,
    conversation: `#${channelId}`,
    reason: 'mention',
    messageId: id,
    seq: next,
    lastSeq: next,
    author: { id: 'bob', name: 'Bob' },
    preview: 'are you there?',
    hidden: false,
    summary: false,
    count: 1,
    silent: false,
    ts: 0,
    ...changes,
  };
}

function setup(platform: NodeJS.Platform = 'darwin') {
  const calls: {
    open: [string, string | null][];
    reply: [string, string, string][];
    read: [string, number][];
    topic: string[];
    external: string[];
  } = { open: [], reply: [], read: [], topic: [], external: [] };
  const actions: NotifierActions = {
    open: (...args) => void calls.open.push(args),
    reply: (...args) => void calls.reply.push(args),
    markRead: (...args) => void calls.read.push(args),
    openTopic: (topic) => void calls.topic.push(topic),
    openExternal: (url) => void calls.external.push(url),
  };
  const log = new RecordingLog();
  const notifier = new Notifier({
    create: (options) => new FakeNotification(options),
    platform,
    actions,
    icon: '/app/icons/app.png',
    log,
  });
  return { notifier, calls, log, made: FakeNotification.made };
}

beforeEach(() => {
  FakeNotification.made.length = 0;
});

describe('native notifications', () => {
  it('shows one with the conversation as title and the author and text as body, with the app icon', () => {
    const { notifier, made } = setup();
    notifier.show(event('ops'));
    expect(made).toHaveLength(1);
    expect(made[0]!.shown).toBe(true);
    expect(made[0]!.options).toMatchObject({
      title: '#ops',
      body: 'Bob: are you there?',
      silent: false,
      icon: '/app/icons/app.png',
    });
  });

  it('replaces, never stacks: a newer one for the conversation closes the older first', () => {
    const { notifier, made } = setup();
    notifier.show(event('ops'));
    notifier.show(event('dev'));
    notifier.show(event('ops', { preview: 'newer' }));
    expect(made.map((n) => [n.options.title, n.closed])).toEqual([
      ['#ops', true],
      ['#dev', false],
      ['#ops', false],
    ]);
    expect(notifier.size).toBe(2);
  });

  it('keeps each one referenced until it is closed or clicked', () => {
    const { notifier, made } = setup();
    notifier.show(event('ops'));
    notifier.show(event('dev'));
    notifier.show(event('qa'));
    expect(notifier.size).toBe(3);
    made[0]!.click();
    made[1]!.dismiss();
    expect(notifier.size).toBe(1);
    notifier.clear('qa');
    expect(made[2]!.closed).toBe(true);
    expect(notifier.size).toBe(0);
  });

  it('one that timed out into the Action Center (Windows) stays held: its click works, and reading removes it', () => {
    const { notifier, made, calls } = setup('win32');
    const first = event('ops');
    notifier.show(first);
    notifier.show(event('dev'));
    made[0]!.timeOut();
    made[1]!.timeOut();
    expect(notifier.size).toBe(2);
    made[0]!.click();
    expect(calls.open).toEqual([['ops', first.messageId]]);
    notifier.clear('dev');
    expect(made[1]!.closed).toBe(true);
    expect(notifier.size).toBe(0);
  });

  it('a click opens that conversation at that message; a stale one’s close does not drop the newer', () => {
    const { notifier, made, calls } = setup();
    const first = event('ops');
    notifier.show(first);
    const second = event('ops');
    notifier.show(second);
    made[0]!.dismiss();
    expect(notifier.size).toBe(1);
    made[1]!.click();
    expect(calls.open).toEqual([['ops', second.messageId]]);
    expect(notifier.size).toBe(0);
  });

  it('an inline reply is sent once, with a clientId derived from the notification', () => {
    const { notifier, made, calls } = setup('darwin');
    const shown = event('ops');
    notifier.show(shown);
    expect(made[0]!.options).toMatchObject({
      hasReply: true,
      actions: [{ type: 'button', text: 'Mark as read' }],
    });
    made[0]!.reply('  on my way  ');
    made[0]!.reply('on my way');
    expect(calls.reply).toEqual([['ops', 'on my way', replyClientId(shown.id)]]);
    // The same notification shown again (after a restart of the app, say) replies under the same id.
    notifier.show(shown);
    made[1]!.reply('on my way');
    expect(calls.reply[1]![2]).toBe(calls.reply[0]![2]);
    expect(replyClientId(shown.id)).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(replyClientId('another')).not.toBe(replyClientId(shown.id));
  });

  it('an empty reply sends nothing', () => {
    const { notifier, made, calls } = setup('win32');
    notifier.show(event('ops'));
    made[0]!.reply('   ');
    expect(calls.reply).toEqual([]);
  });

  it('"Mark as read" marks the conversation read up to what it stood for', () => {
    const { notifier, made, calls } = setup('win32');
    notifier.show(event('ops', { summary: true, seq: 10, lastSeq: 42, count: 20 }));
    made[0]!.action(1);
    expect(calls.read).toEqual([]);
    made[0]!.action(0);
    expect(calls.read).toEqual([['ops', 42]]);
    expect(notifier.size).toBe(0);
  });

  it('urgent on Linux for direct messages and mentions; silent when sounds are off; no reply where the OS has none', () => {
    const { notifier, made } = setup('linux');
    notifier.show(event('dm', { reason: 'direct', silent: true }));
    notifier.show(event('ops', { reason: 'message' }));
    expect(made[0]!.options).toMatchObject({ urgency: 'critical', silent: true });
    expect(made[0]!.options.hasReply).toBeUndefined();
    expect(made[1]!.options.urgency).toBeUndefined();
  });

  it('with previews off: says only that something arrived, and offers no reply', () => {
    const { notifier, made } = setup('darwin');
    notifier.show(event('ops', { hidden: true, preview: null }));
    expect(made[0]!.options).toMatchObject({ title: 'Switchboard', body: 'You have a new message' });
    expect(made[0]!.options.hasReply).toBeUndefined();
  });

  it('a followed topic’s: no reply, urgent on Linux from priority 4, a click opens its link outside or else its view', () => {
    const topic = (name: string, priority: number, click: string | null) =>
      event(`topic:${name}`, {
        conversation: 'Nightly backup',
        reason: 'message',
        author: null,
        preview: 'Backup done',
        topic: { name, priority, click, tags: [] },
      });
    const mac = setup('darwin');
    mac.notifier.show(topic('backups', 5, 'https://example.com/backups/42'));
    expect(mac.made[0]!.options).toMatchObject({ title: 'Nightly backup', body: 'Backup done' });
    expect(mac.made[0]!.options.hasReply).toBeUndefined();
    expect(mac.made[0]!.options.actions).toBeUndefined();
    mac.made[0]!.click();
    expect(mac.calls.external).toEqual(['https://example.com/backups/42']);
    expect(mac.calls.topic).toEqual([]);
    expect(mac.calls.open).toEqual([]);

    const linux = setup('linux');
    // One list of made notifications for the file: the Linux ones follow the Mac one.
    const first = linux.made.length;
    linux.notifier.show(topic('ci', 4, null));
    linux.notifier.show(topic('builds', 3, 'mailto:ops@example.com'));
    // A link no desktop may open (never stored by the server; refused here all the same).
    linux.notifier.show(topic('odd', 3, 'file:///etc/passwd'));
    const shownOnLinux = linux.made.slice(first);
    expect(shownOnLinux.map((n) => n.options.urgency)).toEqual(['critical', undefined, undefined]);
    for (const made of shownOnLinux) made.click();
    expect(linux.calls.topic).toEqual(['ci', 'odd']);
    expect(linux.calls.external).toEqual(['mailto:ops@example.com']);
    expect(linux.notifier.size).toBe(0);
  });

  it('a notification the OS could not show is dropped and logged', () => {
    const { notifier, made, log } = setup('darwin');
    notifier.show(event('ops'));
    made[0]!.emit('failed', {}, 'permission denied');
    expect(notifier.size).toBe(0);
    expect(log.messages('warn')).toEqual(['the OS could not show a notification']);
  });
});

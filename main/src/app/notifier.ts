// The session core's notifications as the OS's own: one per conversation (a newer one closes the
// older and takes its place, never a stack), each kept referenced until it is closed or clicked — a
// Notification that is garbage-collected loses its click. A click opens the conversation at the
// message; an inline reply (macOS, Windows) is sent once, under a clientId derived from the
// notification, however often the OS reports it; "Mark as read" marks the conversation read. A
// followed topic's notification has no reply: a click opens its message's link in the browser when it
// has one (http, https or mailto only), else the topic's view; priority 4–5 is urgent.
import { createHash } from 'node:crypto';
import {
  ENGLISH_NOTIFICATION_STRINGS,
  notificationText,
  type SessionNotification,
} from '@switchboard/client/node';
import type { Log } from '../shared/log.ts';
import { isExternalAllowed } from './security.ts';

/** The options of Electron's `new Notification(…)` that are used here. */
export interface NotificationOptions {
  title: string;
  body: string;
  silent: boolean;
  icon?: string;
  hasReply?: boolean;
  replyPlaceholder?: string;
  actions?: { type: 'button'; text: string }[];
  urgency?: 'normal' | 'critical' | 'low';
}

/** Electron's Notification as used here: events and argument order as in electron.d.ts. */
export interface NotificationLike {
  show(): void;
  close(): void;
  on(event: 'click', listener: () => void): unknown;
  on(event: 'reply', listener: (details: { reply?: string }, reply?: string) => void): unknown;
  on(event: 'action', listener: (details: { actionIndex?: number }, actionIndex?: number) => void): unknown;
  on(
    event: 'close',
    listener: (details?: { reason?: 'userCanceled' | 'applicationHidden' | 'timedOut' }) => void,
  ): unknown;
  on(event: 'failed', listener: (event: unknown, error: string) => void): unknown;
}

export interface NotifierActions {
  /** Bring the window up on this conversation, at this message. */
  open(channelId: string, messageId: string | null): void;
  reply(channelId: string, text: string, clientId: string): void;
  markRead(channelId: string, seq: number): void;
  /** Bring the window up on a followed topic's view. */
  openTopic(topic: string): void;
  /** Open a link outside the app (only ever called with http, https or mailto). */
  openExternal(url: string): void;
}

/** ntfy's priorities 4 (high) and 5 (max) are urgent. */
const URGENT_TOPIC_PRIORITY = 4;

export interface NotifierOptions {
  create(options: NotificationOptions): NotificationLike;
  platform: NodeJS.Platform;
  actions: NotifierActions;
  /** The app's icon for the notification (Linux and Windows show it). */
  icon?: string;
  /** The server's name, added to the title while the app holds accounts on several servers. */
  source?: () => string | null;
  log: Log;
}

const MARK_AS_READ = 0;

/** The clientId of a notification's reply: the same for every report of it, so the server keeps one. */
export function replyClientId(notificationId: string): string {
  return `nr-${createHash('sha256').update(notificationId).digest('base64url').slice(0, 40)}`;
}

interface Shown {
  event: SessionNotification;
  notification: NotificationLike;
  replied: boolean;
}

export class Notifier {
  /** Shown notifications by conversation; the reference keeps each alive until it is done. */
  private readonly shown = new Map<string, Shown>();

  constructor(private readonly options: NotifierOptions) {}

  /** How many notifications are out (and held). */
  get size(): number {
    return this.shown.size;
  }

  show(event: SessionNotification): void {
    this.clear(event.channelId);
    const { platform, icon } = this.options;
    const text = notificationText(event, ENGLISH_NOTIFICATION_STRINGS);
    const source = this.options.source?.() ?? null;
    const title = source ? `${text.title} · ${source}` : text.title;
    const body = text.body;
    const topic = event.topic;
    const interactive = (platform === 'darwin' || platform === 'win32') && !event.hidden && !topic;
    const urgent = topic
      ? topic.priority >= URGENT_TOPIC_PRIORITY
      : event.reason === 'direct' || event.reason === 'mention';
    const notification = this.options.create({
      title,
      body,
      silent: event.silent,
      ...(icon ? { icon } : {}),
      ...(interactive
        ? {
            hasReply: true,
            replyPlaceholder: 'Reply',
            actions: [{ type: 'button', text: 'Mark as read' }],
          }
        : {}),
      ...(platform === 'linux' && urgent ? { urgency: 'critical' } : {}),
    });
    const entry: Shown = { event, notification, replied: false };
    notification.on('click', () => {
      this.forget(entry);
      const { actions } = this.options;
      if (!topic) actions.open(event.channelId, event.messageId);
      else if (topic.click !== null && isExternalAllowed(topic.click)) actions.openExternal(topic.click);
      else actions.openTopic(topic.name);
    });
    notification.on('reply', (details, legacy) => {
      const text = (details?.reply ?? legacy ?? '').trim();
      // The OS may report one reply more than once; the clientId would keep the server from
      // storing it twice anyway, and this keeps it from being queued twice.
      if (entry.replied || text.length === 0) return;
      entry.replied = true;
      this.forget(entry);
      this.options.actions.reply(event.channelId, text, replyClientId(event.id));
    });
    notification.on('action', (details, legacy) => {
      if ((details?.actionIndex ?? legacy) !== MARK_AS_READ) return;
      this.forget(entry);
      this.options.actions.markRead(event.channelId, event.lastSeq);
    });
    notification.on('close', (details) => {
      // Windows reports a toast that timed out as closed while it stays in the Action Center,
      // where it can still be clicked: it stays held, and is closed there once the conversation
      // is read.
      if (details?.reason !== 'timedOut') this.forget(entry);
    });
    notification.on('failed', (_event, error) => {
      this.forget(entry);
      this.options.log.warn({ error }, 'the OS could not show a notification');
    });
    this.shown.set(event.channelId, entry);
    notification.show();
  }

  /** What was notified in the conversation is read: its notification goes. */
  clear(channelId: string): void {
    const entry = this.shown.get(channelId);
    if (!entry) return;
    this.shown.delete(channelId);
    entry.notification.close();
  }

  private forget(entry: Shown): void {
    if (this.shown.get(entry.event.channelId) === entry) this.shown.delete(entry.event.channelId);
  }
}

// Names, times and errors as people read them.
import type { TFunction } from 'i18next';
import { UNREAD_COUNT_CAP, type Channel, type ChannelSummary, type Message } from '@switchboard/protocol';
import type { UserWithPresence } from './state/store.ts';

/**
 * A channel's name as people read it (its display name; a server before 0.2 has only the slug), or
 * for a direct conversation the other person's (or "you" for a note to self).
 */
export function channelLabel(
  channel: Channel,
  users: ReadonlyMap<string, UserWithPresence>,
  selfId: string | undefined,
  t: TFunction,
): string {
  if (channel.kind !== 'direct') return channel.displayName || channel.name;
  const otherId = channel.memberIds?.find((id) => id !== selfId);
  if (!otherId) return t('direct.self', { name: (selfId && users.get(selfId)?.displayName) || channel.name });
  return users.get(otherId)?.displayName ?? channel.name;
}

export interface LabelledChannel {
  channel: ChannelSummary;
  label: string;
}

/**
 * Conversations in sidebar order: channels, then direct conversations, each by name as shown.
 * Archived channels are left out: they are found under Browse channels.
 */
export function sidebarOrder(
  channels: readonly ChannelSummary[],
  users: ReadonlyMap<string, UserWithPresence>,
  selfId: string | undefined,
  t: TFunction,
): { rooms: LabelledChannel[]; directs: LabelledChannel[] } {
  const byLabel = (a: LabelledChannel, b: LabelledChannel) => a.label.localeCompare(b.label);
  const labelled = channels
    .filter((channel) => channel.archivedAt === null)
    .map((channel) => ({ channel, label: channelLabel(channel, users, selfId, t) }));
  return {
    rooms: labelled.filter((c) => c.channel.kind !== 'direct').sort(byLabel),
    directs: labelled.filter((c) => c.channel.kind === 'direct').sort(byLabel),
  };
}

/** The other participant of a direct conversation, if there is one. */
export function directPartner(channel: ChannelSummary, selfId: string | undefined): string | undefined {
  return channel.kind === 'direct' ? channel.memberIds?.find((id) => id !== selfId) : undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * One formatter per language and style, kept: building an Intl.DateTimeFormat takes about 0.3 ms in
 * Chromium and using one about 1 µs, and every message row formats its time twice (bench/ui-burst.ts).
 * Languages and styles are few, so this stays small.
 */
function dateFormat(language: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${language} ${JSON.stringify(options)}`;
  let format = formatters.get(key);
  if (!format) formatters.set(key, (format = new Intl.DateTimeFormat(language, options)));
  return format;
}

export function formatTime(ts: number, language: string): string {
  return dateFormat(language, { hour: 'numeric', minute: '2-digit' }).format(ts);
}

/**
 * The time without the day period ("1:27" rather than "1:27 PM" or "오후 1:27"): for the narrow
 * gutter beside a message in a group, whose first message shows the full time.
 */
export function formatClockTime(ts: number, language: string): string {
  return dateFormat(language, { hour: 'numeric', minute: '2-digit' })
    .formatToParts(ts)
    .filter((part) => part.type !== 'dayPeriod')
    .map((part) => part.value)
    .join('')
    .trim();
}

/** A moment with its date, compactly ("Jun 4, 2026, 3:36 PM"). */
export function formatDateTime(ts: number, language: string): string {
  return dateFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(ts);
}

export function formatFullDate(ts: number, language: string): string {
  return dateFormat(language, { dateStyle: 'full', timeStyle: 'short' }).format(ts);
}

const startOfDay = (ts: number) => new Date(ts).setHours(0, 0, 0, 0);

export function isSameDay(a: number, b: number): boolean {
  return startOfDay(a) === startOfDay(b);
}

export function formatDay(ts: number, language: string, t: TFunction, now = Date.now()): string {
  const days = Math.round((startOfDay(now) - startOfDay(ts)) / 86_400_000);
  if (days === 0) return t('messages.today');
  if (days === 1) return t('messages.yesterday');
  const sameYear = new Date(ts).getFullYear() === new Date(now).getFullYear();
  return dateFormat(language, {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(ts);
}

/** What a notice says, in the reader's language; the server's English text for a type we do not know. */
export function noticeText(
  message: Pick<Message, 'notice' | 'text'>,
  authorName: string,
  users: ReadonlyMap<string, UserWithPresence>,
  t: TFunction,
): string {
  const notice = message.notice;
  if (notice?.type === 'member.added' && notice.userId) {
    const added = users.get(notice.userId)?.displayName ?? t('messages.unknownAuthor');
    return t('notices.memberAdded', { author: authorName, name: added });
  }
  return `${authorName} ${message.text}`;
}

/**
 * An unread count as people read it: the server stops counting at 999 and says so (`capped`).
 */
export function unreadText(count: number, capped: boolean | undefined): string {
  return capped ? `${count}+` : String(count);
}

/**
 * All unread messages of these channels and followed topics, for the window title: "999+" once any
 * count is capped.
 */
export function totalUnread(
  channels: readonly ChannelSummary[],
  topics: readonly { unreadCount: number }[] = [],
): string | null {
  let total = 0;
  let capped = false;
  for (const c of channels) {
    total += c.unreadCount;
    capped ||= c.unreadCapped === true;
  }
  for (const topic of topics) total += topic.unreadCount;
  if (total === 0) return null;
  return total > UNREAD_COUNT_CAP || capped ? `${UNREAD_COUNT_CAP}+` : String(total);
}

/** A request failure from the core, in the reader's language where we know the code. */
export function errorText(err: unknown, t: TFunction): string {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  const detail = typeof message === 'string' && message ? message : String(err);
  const known = typeof code === 'string' ? t(`errors.${code}`, { defaultValue: '', message: detail }) : '';
  return known || t('errors.unknown', { message: detail });
}

/**
 * Two characters for a server's icon in the server list: a host's first two letters
 * ("chat.example.org" → "CH"), the initials of a name in words ("This computer" → "TC"), or — for
 * servers known by address — their port's last two digits, which is what tells them apart
 * ("127.0.0.1:8443" → "43").
 */
export function serverInitials(name: string): string {
  const address = /^[\d.]+:(\d+)$|^\[[\da-f:]+\]:(\d+)$/i.exec(name);
  if (address) return (address[1] ?? address[2]!).slice(-2);
  const words = name.split(/\s+/).filter(Boolean);
  if (words.length > 1)
    return words
      .map((word) => word[0]!)
      .join('')
      .slice(0, 2)
      .toUpperCase();
  return name
    .replace(/^www\./, '')
    .slice(0, 2)
    .toUpperCase();
}

// Whether a new message deserves a notification, decided once, here, for every app: the browser and
// the desktop only show what the core tells them (ARCHITECTURE.md §3). Pure functions of the message's
// facts, the user's preferences, the time and what is on screen, so every rule is tested as a table.
import type { ChannelSummary, Preferences, QuietHours } from '@switchboard/protocol';

/** The app's defaults for the notification preferences a user has not set. */
export const NOTIFY_DEFAULTS = { notify: 'mentions', notifyPreview: true, notifySound: true } as const;

/**
 * Why a message notifies, strongest first. A thread reply to the user's own message will join these
 * (`thread-reply`, between `mention` and `keyword`) once threads exist.
 */
export const NOTIFY_REASONS = ['direct', 'mention', 'keyword', 'message'] as const;
export type NotifyReason = (typeof NOTIFY_REASONS)[number];

/** Why a message does not notify; tests and logs read these. */
export type SkipReason = 'own' | 'read' | 'on-screen' | 'muted' | 'level' | 'dnd' | 'quiet-hours';

/** What the UI has on screen: the conversation or topic shown, and whether its window has the focus. */
export interface OnScreen {
  channelId: string | null;
  /** A followed topic's view (docs/publish.md, "In the apps"). */
  topic?: string | null;
  focused: boolean;
}

export const NOTHING_ON_SCREEN: OnScreen = { channelId: null, topic: null, focused: false };

/** The facts about one new message (or one conversation's catch-up) that the rules look at. */
export interface Candidate {
  channelId: string;
  /** In a direct conversation. */
  direct: boolean;
  /** Written by the user themselves. */
  own: boolean;
  /** At or before the user's read position: read here or on another device. */
  read: boolean;
  mentioned: boolean;
  /** Holds one of the user's keywords. */
  keyword: boolean;
}

export type Decision =
  { notify: true; reason: NotifyReason; silent: boolean } | { notify: false; because: SkipReason };

/** The strongest reason the candidate could notify for, before preferences are asked. */
export function reasonFor(candidate: Candidate): NotifyReason {
  if (candidate.direct) return 'direct';
  if (candidate.mentioned) return 'mention';
  if (candidate.keyword) return 'keyword';
  return 'message';
}

/** The decision: facts first (own, read, on screen), then the user's choices, then time (DND, quiet hours). */
export function decide(candidate: Candidate, prefs: Preferences, now: number, onScreen: OnScreen): Decision {
  if (candidate.own) return { notify: false, because: 'own' };
  if (candidate.read) return { notify: false, because: 'read' };
  if (onScreen.focused && onScreen.channelId === candidate.channelId)
    return { notify: false, because: 'on-screen' };
  const setting = prefs.conversations?.[candidate.channelId];
  if (setting?.muted) return { notify: false, because: 'muted' };
  const level = setting?.notify ?? notifyLevel(prefs);
  const reason = reasonFor(candidate);
  if (level === 'none' || (level === 'mentions' && reason === 'message'))
    return { notify: false, because: 'level' };
  if (dndActive(prefs, now)) return { notify: false, because: 'dnd' };
  if (prefs.quietHours && inQuietHours(prefs.quietHours, now))
    return { notify: false, because: 'quiet-hours' };
  return { notify: true, reason, silent: !(prefs.notifySound ?? NOTIFY_DEFAULTS.notifySound) };
}

/** The user's notification level for everything without a setting of its own. */
export function notifyLevel(prefs: Preferences): NonNullable<Preferences['notify']> {
  return prefs.notify ?? NOTIFY_DEFAULTS.notify;
}

/** ntfy's priorities as the apps treat them: 1–2 are only listed, 4–5 are urgent, 5 breaks through. */
export const TOPIC_PRIORITY = { default: 3, listedOnly: 2, urgent: 4, max: 5 } as const;

/** The facts about new messages of a followed topic that the rules look at. */
export interface TopicCandidate {
  topic: string;
  /** The highest priority among them (ntfy's 1–5; a message without one is 3). */
  priority: number;
  /** All at or before the user's read position. */
  read: boolean;
  /** The user muted the topic (kept with the follow, on every device). */
  muted: boolean;
}

/**
 * The decision for a followed topic. A muted topic, like a muted conversation, notifies of nothing,
 * and a user whose level is `none` ("Nothing") gets no notification from topics either — priority 5
 * included: do-not-disturb is a pause, `none` a standing choice. Otherwise following asked for the
 * topic's messages, so `mentions` does not hold them back (no topic message names the user).
 * Priority 1–2 only lists them (unread, no pop-up); do-not-disturb and quiet hours hold back all but
 * priority 5, which, as in ntfy, is for what must not wait.
 */
export function decideTopic(
  candidate: TopicCandidate,
  prefs: Preferences,
  now: number,
  onScreen: OnScreen,
): Decision {
  if (candidate.read) return { notify: false, because: 'read' };
  if (onScreen.focused && onScreen.topic === candidate.topic) return { notify: false, because: 'on-screen' };
  if (candidate.muted) return { notify: false, because: 'muted' };
  if (notifyLevel(prefs) === 'none' || candidate.priority <= TOPIC_PRIORITY.listedOnly)
    return { notify: false, because: 'level' };
  if (candidate.priority < TOPIC_PRIORITY.max && dndActive(prefs, now))
    return { notify: false, because: 'dnd' };
  if (candidate.priority < TOPIC_PRIORITY.max && prefs.quietHours && inQuietHours(prefs.quietHours, now))
    return { notify: false, because: 'quiet-hours' };
  return { notify: true, reason: 'message', silent: !(prefs.notifySound ?? NOTIFY_DEFAULTS.notifySound) };
}

/** Whether do-not-disturb is on at `now`. */
export function dndActive(prefs: Preferences, now: number): boolean {
  return prefs.dnd !== undefined && (prefs.dnd.until === null || now < prefs.dnd.until);
}

/** How long do-not-disturb lasts, as the apps offer it. */
export type DndChoice = 'hour' | 'tomorrow' | 'off';

/** When do-not-disturb chosen at `now` ends: in an hour, at 09:00 tomorrow (local time), or never (null). */
export function dndUntil(choice: DndChoice, now: number): number | null {
  if (choice === 'hour') return now + 60 * 60 * 1000;
  if (choice === 'off') return null;
  const tomorrow = new Date(now);
  tomorrow.setDate(tomorrow.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  return tomorrow.getTime();
}

/** Whether notifications are silenced at `now` (do not disturb, or quiet hours). */
export function silenced(prefs: Preferences, now: number): boolean {
  return dndActive(prefs, now) || (prefs.quietHours !== undefined && inQuietHours(prefs.quietHours, now));
}

const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

const clocks = new Map<string, Intl.DateTimeFormat>();

/** Minutes since midnight at `now` on the wall clock of `timeZone`. */
export function minuteOfDay(now: number, timeZone: string): number {
  let clock = clocks.get(timeZone);
  if (!clock) {
    clock = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    clocks.set(timeZone, clock);
  }
  let hour = 0;
  let minute = 0;
  for (const part of clock.formatToParts(now)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return hour * 60 + minute;
}

/** Whether `now` falls in the daily window; one whose start is after its end crosses midnight. */
export function inQuietHours(quiet: QuietHours, now: number): boolean {
  const at = minuteOfDay(now, quiet.timeZone);
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  return from < to ? at >= from && at < to : at >= from || at < to;
}

/** Whether `text` holds one of `keywords` as a whole word, in any case. */
export function matchesKeyword(text: string, keywords: readonly string[] | undefined): boolean {
  if (!keywords || keywords.length === 0) return false;
  const lower = text.toLowerCase();
  return keywords.some((keyword) => {
    const word = keyword.toLowerCase();
    for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + 1)) {
      const before = lower.slice(0, at);
      const after = lower.slice(at + word.length);
      if (!/[\p{L}\p{N}_]$/u.test(before) && !/^[\p{L}\p{N}_]/u.test(after)) return true;
    }
    return false;
  });
}

/**
 * Unread messages and those that call for the user (mentions, and everything unread in direct
 * conversations), over every conversation that is not muted, and the unread messages of followed
 * topics that are not muted: what a tray icon or a badge shows.
 */
export interface UnreadTotals {
  unread: number;
  mentions: number;
}

export function unreadTotals(
  channels: readonly ChannelSummary[],
  prefs: Preferences,
  topics: readonly { unreadCount: number; muted: boolean }[] = [],
): UnreadTotals {
  let unread = 0;
  let mentions = 0;
  for (const channel of channels) {
    if (prefs.conversations?.[channel.id]?.muted) continue;
    unread += channel.unreadCount;
    mentions += channel.kind === 'direct' ? channel.unreadCount : channel.mentionCount;
  }
  // A topic's messages are unread like a channel's, and none of them names the user.
  for (const topic of topics) if (!topic.muted) unread += topic.unreadCount;
  return { unread, mentions };
}

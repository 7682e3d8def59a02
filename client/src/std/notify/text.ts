// What a notification says, for every app that shows one: the same title and body in the browser and
// on the desktop, in whatever language the caller's strings are in.
import type { SessionNotification } from '../contract.ts';

export interface NotificationStrings {
  /** The title when the preview is hidden: the app's name. */
  app: string;
  /** The body when the preview is hidden. */
  hidden(count: number): string;
  /** A catch-up summary: "12 new messages in #ops". */
  summary(count: number, conversation: string): string;
}

export const ENGLISH_NOTIFICATION_STRINGS: NotificationStrings = {
  app: 'Switchboard',
  hidden: (count) => (count === 1 ? 'You have a new message' : `You have ${count} new messages`),
  summary: (count, conversation) => `${count} new messages in ${conversation}`,
};

/**
 * Title and body: a direct message is titled with its author, a channel's with the channel and the
 * author before the text; a summary counts; with previews off, only that something arrived.
 */
export function notificationText(
  n: SessionNotification,
  strings: NotificationStrings,
): { title: string; body: string } {
  if (n.hidden) return { title: strings.app, body: strings.hidden(n.count) };
  if (n.summary || n.preview === null)
    return { title: n.conversation, body: strings.summary(n.count, n.conversation) };
  if (n.reason === 'direct') return { title: n.author?.name ?? n.conversation, body: n.preview };
  return { title: n.conversation, body: n.author ? `${n.author.name}: ${n.preview}` : n.preview };
}

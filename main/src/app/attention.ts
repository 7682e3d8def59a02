// Where a core's notifications and totals go in main, and where the person's answers go back: each
// notification to the Notifier, the totals to the server list (servers.ts, which feeds the tray and
// the badge); a click brings the window up on the conversation (a deep link to the server the core
// talks to, at that message), a reply and "mark as read" go to the core, do not disturb from the tray
// is stored with the account. The app and the desktop tests wire the same functions.
import { dndUntil, type DndChoice } from '@switchboard/client/node';
import type { DoNotDisturb } from '@switchboard/protocol';
import type { DeepLinkTarget } from '@switchboard/protocol/desktop';
import type { AttentionMessage } from '../core/core-host.ts';
import type { Notifier, NotifierActions } from './notifier.ts';
import type { Attention } from './tray.ts';

/** CoreHost, as far as notifications go. */
export interface AttentionHost {
  onAttention(listener: (message: AttentionMessage) => void): () => void;
  reply(channelId: string, text: string, clientId: string): void;
  markRead(channelId: string, seq: number): void;
  setDnd(dnd: DoNotDisturb | null): void;
  readonly state: { server: { url: string | null } };
}

/** The app's window, as a notification click uses it. */
export interface ConversationWindow {
  /** Shows and focuses the window (restoring it from the tray). */
  show(): void;
  /** Hands the window a checked deep link, as a switchboard:// link would be. */
  follow(target: DeepLinkTarget): void;
  /** Opens an http, https or mailto link in the person's browser or mail app (shell.openExternal). */
  openExternal(url: string): void;
}

export function notifierActions(host: AttentionHost, window: ConversationWindow): NotifierActions {
  return {
    open: (channelId, messageId) => {
      window.show();
      const server = host.state.server.url;
      if (server)
        window.follow({
          action: 'open',
          server,
          channel: channelId,
          ...(messageId ? { message: messageId } : {}),
        });
    },
    openTopic: (topic) => {
      window.show();
      const server = host.state.server.url;
      if (server) window.follow({ action: 'topic', server, topic });
    },
    openExternal: (url) => window.openExternal(url),
    reply: (channelId, text, clientId) => host.reply(channelId, text, clientId),
    markRead: (channelId, seq) => host.markRead(channelId, seq),
  };
}

/** Do not disturb as the tray menu sets it. */
export function setDndFromTray(
  host: Pick<AttentionHost, 'setDnd'>,
  now: () => number,
): (choice: DndChoice | null) => void {
  return (choice) => host.setDnd(choice === null ? null : { until: dndUntil(choice, now()) });
}

export function routeAttention(
  host: AttentionHost,
  parts: { notifier: Notifier; totals?: (attention: Attention) => void },
): () => void {
  return host.onAttention((message) => {
    switch (message.type) {
      case 'notification':
        return parts.notifier.show(message.notification);
      case 'notification-cleared':
        return parts.notifier.clear(message.channelId);
      case 'attention': {
        const { unread, mentions, dnd } = message;
        return parts.totals?.({ unread, mentions, dnd });
      }
    }
  });
}

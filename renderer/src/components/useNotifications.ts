// The UI's part in notifications. It decides nothing: the session core decides what deserves one
// (preferences, mute, keywords, do not disturb, quiet hours, catch-up summaries) and says so with a
// `notification` event. This hook tells the core what is on screen, and in a browser shows each
// event with the Notification API — one per conversation, a newer one replacing the older, taken
// away once read. The desktop app shows them natively from its main process instead.
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { notificationText, type NotificationStrings } from '@switchboard/client/browser';
import { desktopBridge } from '../session/connect.ts';
import { useStore } from '../state/store.ts';

/** Opens a conversation at a message (null: where the reader left it). */
export type OpenConversation = (channelId: string, messageId: string | null) => void;

/** What is open: a conversation, or a followed topic's view. */
export interface OpenNow {
  channelId: string | null;
  topic: string | null;
}

export const notificationStrings = (t: TFunction): NotificationStrings => ({
  app: 'Switchboard',
  hidden: (count) => t('notifications.hidden', { count }),
  summary: (count, conversation) => t('notifications.summary', { count, conversation }),
});

export function useNotifications(
  open: OpenNow,
  onOpen: OpenConversation,
  onOpenTopic: (topic: string) => void,
): void {
  const { channelId: currentId, topic } = open;
  const { t } = useTranslation();
  const store = useStore();

  // What is on screen: the open conversation, and whether this window is in front.
  useEffect(() => {
    const report = () =>
      void store.client
        .request('setFocus', {
          channelId: currentId,
          topic,
          focused: document.visibilityState === 'visible' && document.hasFocus(),
        })
        .catch(() => {
          // The core is restarting; the next focus change tells it again.
        });
    report();
    window.addEventListener('focus', report);
    window.addEventListener('blur', report);
    document.addEventListener('visibilitychange', report);
    return () => {
      window.removeEventListener('focus', report);
      window.removeEventListener('blur', report);
      document.removeEventListener('visibilitychange', report);
    };
  }, [store, currentId, topic]);

  useEffect(() => {
    if (desktopBridge() || typeof Notification !== 'function') return;
    const shown = new Map<string, Notification>();
    const offShow = store.client.on('notification', (event) => {
      // Asked only now: reading it is a synchronous call into the browser.
      if (Notification.permission !== 'granted') return;
      const { title, body } = notificationText(event, notificationStrings(t));
      shown.get(event.channelId)?.close();
      // The tag makes the browser replace rather than stack, also across tabs showing the same one.
      const notice = new Notification(title, {
        body,
        tag: event.channelId,
        silent: event.silent,
        // A topic's urgent messages (priority 4–5) stay until the reader acts on them.
        requireInteraction: (event.topic?.priority ?? 0) >= 4,
      });
      notice.onclick = () => {
        window.focus();
        if (event.topic) onOpenTopic(event.topic.name);
        else onOpen(event.channelId, event.messageId);
        notice.close();
      };
      notice.onclose = () => {
        if (shown.get(event.channelId) === notice) shown.delete(event.channelId);
      };
      shown.set(event.channelId, notice);
    });
    const offCleared = store.client.on('notificationCleared', ({ channelId }) => {
      shown.get(channelId)?.close();
      shown.delete(channelId);
    });
    return () => {
      offShow();
      offCleared();
    };
  }, [store, t, onOpen, onOpenTopic]);
}

// Browser notifications for new messages while the conversation is not in front of the reader,
// following the user's preference: everything, mentions and direct messages, or nothing.
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { channelLabel } from '../format.ts';
import type { ResolvedPreferences } from '../settings/preferences.ts';
import { useUi } from '../state/hooks.tsx';

export function useNotifications(
  prefs: ResolvedPreferences,
  currentId: string | null,
  onOpen: (channelId: string) => void,
): void {
  const { t } = useTranslation();
  const channels = useUi((s) => s.channels);
  const users = useUi((s) => s.users);
  const me = useUi((s) => s.user);
  const seen = useRef<Map<string, { unread: number; mentions: number }> | null>(null);

  useEffect(() => {
    const before = seen.current;
    seen.current = new Map(channels.map((c) => [c.id, { unread: c.unreadCount, mentions: c.mentionCount }]));
    if (!before || prefs.notify === 'none' || typeof Notification !== 'function') return;
    for (const channel of channels) {
      const was = before.get(channel.id);
      if (!was) continue;
      const moreUnread = channel.unreadCount > was.unread;
      const moreMentions = channel.mentionCount > was.mentions;
      const inFront =
        channel.id === currentId && document.visibilityState === 'visible' && document.hasFocus();
      const wanted =
        prefs.notify === 'all' ? moreUnread : moreMentions || (channel.kind === 'direct' && moreUnread);
      if (inFront || !wanted) continue;
      // Asked only now: reading it is a synchronous call into the browser (0.1 ms, several when the
      // machine is busy), and this runs on every change of any channel's counts (bench/ui-burst.ts).
      if (Notification.permission !== 'granted') return;
      const name = channelLabel(channel, users, me?.id, t);
      const body = !prefs.notifyPreview
        ? t('notify.hidden')
        : channel.kind === 'direct'
          ? t('notify.direct', { name })
          : moreMentions
            ? t('notify.mention', { channel: name })
            : t('notify.message', { channel: name });
      // The tag folds repeats (and the same notice from several tabs) into one.
      const notice = new Notification('Switchboard', {
        body,
        tag: prefs.notifyPreview ? channel.id : 'switchboard',
      });
      notice.onclick = () => {
        window.focus();
        onOpen(channel.id);
        notice.close();
      };
    }
  }, [channels, prefs, currentId, users, me, onOpen, t]);
}

// What the session core tells main for the OS to show: each notification it decided on (and when one
// is read), and the totals the tray and the badge show — unread (followed topics' included), for-you
// (mentions and direct messages), muted conversations left out — with do-not-disturb. Only these leave the utility
// process; the conversations themselves go to the windows over their own ports.
import { unreadTotals, type SessionApi, type TopicSummary } from '@switchboard/client/node';
import type { ChannelSummary, Preferences } from '@switchboard/protocol';
import type { FromUtility } from '../shared/control.ts';

export function forwardAttention(session: SessionApi, post: (message: FromUtility) => void): () => void {
  let channels: readonly ChannelSummary[] = [];
  let preferences: Preferences = {};
  let topics: readonly TopicSummary[] = [];
  let last = '';
  const report = () => {
    const message: FromUtility = {
      type: 'attention',
      ...unreadTotals(channels, preferences, topics),
      dnd: preferences.dnd ?? null,
    };
    const key = JSON.stringify(message);
    if (key === last) return;
    last = key;
    post(message);
  };
  const off = [
    session.on('notification', (notification) => post({ type: 'notification', notification })),
    session.on('notificationCleared', ({ channelId }) => post({ type: 'notification-cleared', channelId })),
    session.on('snapshot', (snapshot) => {
      ({ channels, preferences, topics } = snapshot);
      report();
    }),
    session.on('channels', (next) => {
      channels = next;
      report();
    }),
    session.on('preferences', (next) => {
      preferences = next;
      report();
    }),
    session.on('topics', (next) => {
      topics = next;
      report();
    }),
  ];
  void session.request('getSnapshot', {}).then((snapshot) => {
    ({ channels, preferences, topics } = snapshot);
    report();
  });
  return () => off.forEach((stop) => stop());
}

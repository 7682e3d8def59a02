// "Threads": the threads the reader follows (they wrote the root, replied, or were mentioned), the
// latest reply first, with how many replies they have not read. Choosing one opens its channel with
// the thread beside it.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FollowedThread } from '@switchboard/protocol';
import { channelLabel, errorText, formatTime } from '../format.ts';
import { useStore, useUi } from '../state/store.ts';
import { Icon } from './Icon.tsx';
import { MenuButton, type Drawer } from './MenuButton.tsx';

/** How much of a root's text the list shows. */
const SNIPPET = 140;

export function ThreadsView({ drawer, onOpen }: { drawer: Drawer; onOpen(thread: FollowedThread): void }) {
  const { t, i18n } = useTranslation();
  const store = useStore();
  const threads = useUi((s) => s.threads);
  const channels = useUi((s) => s.channels);
  const users = useUi((s) => s.users);
  const me = useUi((s) => s.user)!;
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    store.client.request('listThreads', {}).catch((err: unknown) => setError(errorText(err, t)));
  }, [store, t]);

  return (
    <>
      <header className="channel-header">
        <MenuButton drawer={drawer} />
        <h1 id="channel-title">
          <Icon name="threads" size={18} />
          <span>{t('threads.title')}</span>
        </h1>
      </header>
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      {threads.length === 0 ? (
        <div className="empty-state">
          <p>{t('threads.none')}</p>
        </div>
      ) : (
        <ul className="threads-list" aria-labelledby="channel-title">
          {threads.map((thread) => {
            const channel = channels.find((c) => c.id === thread.channelId);
            const author = users.get(thread.root.authorId)?.displayName ?? t('messages.unknownAuthor');
            const text =
              thread.root.deletedAt !== null
                ? t('messages.deleted')
                : thread.root.text.length > SNIPPET
                  ? `${thread.root.text.slice(0, SNIPPET)}…`
                  : thread.root.text;
            return (
              <li key={thread.threadId}>
                <button
                  type="button"
                  className={`thread-item${thread.unreadCount > 0 ? ' unread' : ''}`}
                  onClick={() => onOpen(thread)}
                >
                  <span className="thread-item-where">
                    {channel ? `#${channelLabel(channel, users, me.id, t)}` : ''}
                  </span>
                  <span className="thread-item-text">
                    <strong>{author}</strong>: {text}
                  </span>
                  <span className="thread-item-meta">
                    {t('threads.replies', { count: thread.root.replyCount })}
                    {thread.lastReplyAt !== null &&
                      ` · ${t('threads.lastReply', { time: formatTime(thread.lastReplyAt, i18n.language) })}`}
                  </span>
                  {thread.unreadCount > 0 && (
                    <span className="badge" data-testid="thread-unread">
                      <span aria-hidden="true">{thread.unreadCount}</span>
                      <span className="sr-only">{t('threads.unread', { count: thread.unreadCount })}</span>
                    </span>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}

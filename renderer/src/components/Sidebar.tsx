// The "Channels" navigation: the followed threads, channels, direct conversations and followed topics
// with unread and mention counts, and the ways to create, browse, start a conversation, jump (Ctrl/Cmd+K), open
// settings, sign out.
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { directPartner, sidebarOrder, unreadText, type LabelledChannel } from '../format.ts';
import { useUi } from '../state/store.ts';
import { Icon, IconButton } from './Icon.tsx';
import { PresenceDot } from './PresenceDot.tsx';

export type SidebarAction =
  | 'create'
  | 'browse'
  | 'direct'
  | 'switcher'
  | 'search'
  | 'settings'
  | 'profile'
  | 'signOut'
  | 'threads'
  | 'followTopic';

interface SidebarProps {
  currentId: string | null;
  /** The Threads view is open. */
  threadsOpen: boolean;
  /** The followed topic whose view is open. */
  topicOpen: string | null;
  onSelect(channelId: string): void;
  onOpenTopic(topic: string): void;
  onAction(action: SidebarAction): void;
}

const isMac = /Mac|iPhone|iPad/.test(navigator.platform);
export const SWITCHER_SHORTCUT = isMac ? '⌘K' : 'Ctrl+K';
/** The navigation's id: on narrow screens it is a drawer, which the menu button controls. */
export const SIDEBAR_ID = 'sidebar';

export function Sidebar({
  currentId,
  threadsOpen,
  topicOpen,
  onSelect,
  onOpenTopic,
  onAction,
}: SidebarProps) {
  const { t } = useTranslation();
  const channels = useUi((s) => s.channels);
  const users = useUi((s) => s.users);
  const me = useUi((s) => s.user);
  // Your own dot shows whether this app is connected, which is what others see of you.
  const connected = useUi((s) => s.connection.status === 'online');
  const threads = useUi((s) => s.threads);
  const unreadReplies = threads.reduce((sum, thread) => sum + thread.unreadCount, 0);
  const topics = useUi((s) => s.topics);

  const { rooms, directs } = useMemo(
    () => sidebarOrder(channels, users, me?.id, t),
    [channels, users, me, t],
  );

  const item = ({ channel, label }: LabelledChannel) => {
    const partner = directPartner(channel, me?.id);
    const unread = channel.unreadCount > 0;
    const presence = connected
      ? ((partner ? users.get(partner)?.presence : 'online') ?? 'offline')
      : 'unknown';
    return (
      <li key={channel.id}>
        <button
          type="button"
          className={`channel-link${unread ? ' unread' : ''}`}
          aria-current={channel.id === currentId ? 'page' : undefined}
          onClick={() => onSelect(channel.id)}
        >
          {channel.kind === 'direct' ? (
            <PresenceDot status={partner ? users.get(partner)?.presence : 'online'} silent />
          ) : (
            <span className="channel-sigil">
              <Icon name={channel.kind === 'private' ? 'lock' : 'hash'} size={16} />
            </span>
          )}
          <span className="channel-name">{label}</span>
          {channel.kind === 'private' && <span className="sr-only">{t('sidebar.private')}</span>}
          {channel.kind === 'direct' && <span className="sr-only">{t(`presence.${presence}`)}</span>}
          {channel.mentionCount > 0 && (
            <span className="badge badge-mention">
              <span aria-hidden="true">@{channel.mentionCount}</span>
              <span className="sr-only">{t('sidebar.mentions', { count: channel.mentionCount })}</span>
            </span>
          )}
          {unread && (
            <span className="badge" data-testid="unread-count">
              <span aria-hidden="true">{unreadText(channel.unreadCount, channel.unreadCapped)}</span>
              <span className="sr-only">
                {channel.unreadCapped
                  ? t('sidebar.unreadCapped', { count: channel.unreadCount })
                  : t('sidebar.unread', { count: channel.unreadCount })}
              </span>
            </span>
          )}
        </button>
      </li>
    );
  };

  return (
    <nav id={SIDEBAR_ID} className="sidebar" aria-label={t('sidebar.label')}>
      <div className="sidebar-top">
        <span className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Switchboard
        </span>
        <button type="button" className="switcher-button" onClick={() => onAction('switcher')}>
          <Icon name="search" size={16} />
          <span>{t('switcher.open')}</span>
          <kbd>{SWITCHER_SHORTCUT}</kbd>
        </button>
        <button type="button" className="switcher-button" onClick={() => onAction('search')}>
          <Icon name="search" size={16} />
          <span>{t('search.open')}</span>
        </button>
      </div>

      <div className="sidebar-scroll">
        <button
          type="button"
          className={`channel-link threads-link${unreadReplies > 0 ? ' unread' : ''}`}
          aria-current={threadsOpen ? 'page' : undefined}
          onClick={() => onAction('threads')}
        >
          <span className="channel-sigil">
            <Icon name="threads" size={16} />
          </span>
          <span className="channel-name">{t('threads.title')}</span>
          {unreadReplies > 0 && (
            <span className="badge" data-testid="threads-unread">
              <span aria-hidden="true">{unreadReplies}</span>
              <span className="sr-only">{t('threads.unread', { count: unreadReplies })}</span>
            </span>
          )}
        </button>

        <section aria-labelledby="sidebar-channels">
          <div className="section-head">
            <h2 id="sidebar-channels">{t('sidebar.channels')}</h2>
            <IconButton icon="plus" label={t('sidebar.create')} onClick={() => onAction('create')} />
          </div>
          {rooms.length > 0 ? (
            <ul className="channel-list">{rooms.map(item)}</ul>
          ) : (
            <p className="sidebar-empty">{t('sidebar.noChannels')}</p>
          )}
          <button type="button" className="sidebar-action" onClick={() => onAction('browse')}>
            <Icon name="list" size={16} />
            {t('sidebar.browse')}
          </button>
        </section>

        <section aria-labelledby="sidebar-directs">
          <div className="section-head">
            <h2 id="sidebar-directs">{t('sidebar.directs')}</h2>
            <IconButton icon="plus" label={t('sidebar.startDirect')} onClick={() => onAction('direct')} />
          </div>
          {directs.length > 0 ? (
            <ul className="channel-list">{directs.map(item)}</ul>
          ) : (
            <p className="sidebar-empty">{t('sidebar.noDirects')}</p>
          )}
        </section>

        <section aria-labelledby="sidebar-topics">
          <div className="section-head">
            <h2 id="sidebar-topics">{t('topics.title')}</h2>
            <IconButton icon="plus" label={t('topics.follow')} onClick={() => onAction('followTopic')} />
          </div>
          {topics.length > 0 ? (
            <ul className="channel-list">
              {topics.map((topic) => (
                <li key={topic.topic}>
                  <button
                    type="button"
                    className={`channel-link${topic.unreadCount > 0 ? ' unread' : ''}`}
                    aria-current={topic.topic === topicOpen ? 'page' : undefined}
                    onClick={() => onOpenTopic(topic.topic)}
                  >
                    <span className="channel-sigil">
                      <Icon name={topic.muted ? 'bellOff' : 'bell'} size={16} />
                    </span>
                    <span className="channel-name">{topic.topic}</span>
                    {topic.muted && <span className="sr-only">{t('topics.muted')}</span>}
                    {topic.unreadCount > 0 && (
                      <span className="badge" data-testid="topic-unread">
                        <span aria-hidden="true">{topic.unreadCount}</span>
                        <span className="sr-only">{t('topics.unread', { count: topic.unreadCount })}</span>
                      </span>
                    )}
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="sidebar-empty">{t('topics.none')}</p>
          )}
        </section>
      </div>

      {me && (
        <div className="sidebar-footer">
          <button
            type="button"
            className="me"
            onClick={() => onAction('profile')}
            aria-label={t('sidebar.profile', { name: me.displayName })}
          >
            <PresenceDot status={connected ? 'online' : 'offline'} self />
            <span className="me-name">{me.displayName}</span>
          </button>
          <IconButton icon="settings" label={t('settings.title')} onClick={() => onAction('settings')} />
          <IconButton icon="signOut" label={t('sidebar.signOut')} onClick={() => onAction('signOut')} />
        </div>
      )}
    </nav>
  );
}

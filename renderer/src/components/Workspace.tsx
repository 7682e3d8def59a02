// The signed-in app: connection banner, the Channels navigation (a drawer on narrow screens), the
// open conversation (or the Threads view, or a followed topic) with a thread or the channel's details
// beside it, dialogs, keyboard shortcuts, toasts, and the unread count in the window's title. What is
// open is kept in the address (#/c/<id>, #/threads, #/t/<topic>) so a reload or a second tab can point at it.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChannelSummary, FollowedThread, Message } from '@switchboard/protocol';
import { sidebarOrder, totalUnread } from '../format.ts';
import { useStore, useUi } from '../state/store.ts';
import { ChannelDetails } from './ChannelDetails.tsx';
import { ChannelView } from './ChannelView.tsx';
import {
  BrowseChannelsDialog,
  CreateChannelDialog,
  LeaveChannelDialog,
  StartDirectDialog,
} from './ChannelDialogs.tsx';
import { COMPOSER_ID, focusComposer } from './Composer.tsx';
import { ConnectionBanner } from './ConnectionBanner.tsx';
import { Icon } from './Icon.tsx';
import { QuickSwitcher } from './QuickSwitcher.tsx';
import { SearchDialog } from './SearchDialog.tsx';
import { SettingsDialog } from './SettingsDialog.tsx';
import { MenuButton } from './MenuButton.tsx';
import { FollowTopicDialog } from './FollowTopicDialog.tsx';
import { Sidebar, SIDEBAR_ID, type SidebarAction } from './Sidebar.tsx';
import { ThreadPanel } from './ThreadPanel.tsx';
import { ThreadsView } from './ThreadsView.tsx';
import { TopicView } from './TopicView.tsx';
import { useNotifications, type OpenConversation } from './useNotifications.ts';
import { useThrottled } from './useThrottled.ts';

type OpenDialog = Exclude<SidebarAction, 'signOut' | 'threads'> | null;
/** Beside the channel: one of its threads (by root id), or its details. */
type SidePanel = { channelId: string } & ({ kind: 'thread'; rootId: string } | { kind: 'details' });

const APP_NAME = 'Switchboard';
/** The title's unread count changes at most this often. */
const TITLE_INTERVAL_MS = 1_000;
const THREADS_HASH = '#/threads';
/** `#/c/<channel>`, or `#/c/<channel>/m/<message>` to open it at that message (a notification's link). */
const HASH = /^#\/c\/([\w-]{1,64})(?:\/m\/([\w-]{1,64}))?$/;
const channelFromHash = () => HASH.exec(location.hash)?.[1] ?? null;
const messageFromHash = () => HASH.exec(location.hash)?.[2] ?? null;
const TOPIC_HASH = /^#\/t\/([-_A-Za-z0-9]{1,64})$/;
const topicFromHash = () => TOPIC_HASH.exec(location.hash)?.[1] ?? null;
const lastChannelKey = (userId: string) => `switchboard.lastChannel.${userId}`;
const TOAST_MS = 8_000;

export function Workspace() {
  const { t } = useTranslation();
  const store = useStore();
  const me = useUi((s) => s.user)!;
  const channels = useUi((s) => s.channels);
  const [selectedId, setSelectedId] = useState<string | null>(
    () => channelFromHash() ?? localStorage.getItem(lastChannelKey(me.id)),
  );
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [showThreads, setShowThreads] = useState(() => location.hash === THREADS_HASH);
  const [topic, setTopic] = useState<string | null>(topicFromHash);
  const [panel, setPanel] = useState<SidePanel | null>(null);
  const [leaving, setLeaving] = useState<ChannelSummary | null>(null);
  const [toasts, setToasts] = useState<{ id: number; text: string }[]>([]);
  /** A message to bring into view (a notification was clicked); the nonce repeats a jump. */
  const [jump, setJump] = useState<{ channelId: string; messageId: string; nonce: number } | null>(() => {
    const channelId = channelFromHash();
    const messageId = messageFromHash();
    return channelId && messageId ? { channelId, messageId, nonce: 1 } : null;
  });
  /** A message to show in context (a search result), in the open channel. */
  const [focus, setFocus] = useState<{ channelId: string; seq: number } | null>(null);
  const toastId = useRef(0);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement | null>(null);

  const users = useUi((s) => s.users);
  const sorted = useMemo(() => {
    const { rooms, directs } = sidebarOrder(channels, users, me.id, t);
    return [...rooms, ...directs].map((c) => c.channel);
  }, [channels, users, me.id, t]);
  const current =
    showThreads || topic ? null : (channels.find((c) => c.id === selectedId) ?? sorted[0] ?? null);
  const currentId = current?.id ?? null;
  const sidePanel = panel && panel.channelId === currentId ? panel : null;

  // Choosing a conversation puts focus in its message box, after any dialog has closed.
  const [focusRequest, setFocusRequest] = useState(0);
  useEffect(() => {
    if (focusRequest > 0) focusComposer();
  }, [focusRequest]);

  const select = useCallback(
    (channelId: string) => {
      setSelectedId(channelId);
      setFocus(null);
      setShowThreads(false);
      setTopic(null);
      setDialog(null);
      setDrawerOpen(false);
      setFocusRequest((n) => n + 1);
      localStorage.setItem(lastChannelKey(me.id), channelId);
    },
    [me.id],
  );

  // The unread count in the tab's or window's title, as every chat client shows it; during a burst
  // it changes every frame, and each title set costs the page a trip to the browser (or window).
  const topics = useUi((s) => s.topics);
  const unread = useThrottled(
    useMemo(() => totalUnread(channels, topics), [channels, topics]),
    TITLE_INTERVAL_MS,
  );
  useEffect(() => {
    document.title = unread ? `(${unread}) ${APP_NAME}` : APP_NAME;
  }, [unread]);
  useEffect(() => () => void (document.title = APP_NAME), []);

  // The drawer: focus goes into it when it opens, Escape closes it and focus returns to its button.
  const closeDrawer = useCallback(() => {
    setDrawerOpen(false);
    menuButton.current?.focus();
  }, []);
  useEffect(() => {
    if (!drawerOpen) return;
    document.getElementById(SIDEBAR_ID)?.querySelector<HTMLElement>('button')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        closeDrawer();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [drawerOpen, closeDrawer]);
  const drawer = {
    open: drawerOpen,
    show: (button: HTMLButtonElement) => {
      menuButton.current = button;
      setDrawerOpen(true);
    },
  };

  useEffect(() => {
    const wanted = topic ? `#/t/${topic}` : showThreads ? THREADS_HASH : currentId ? `#/c/${currentId}` : '';
    if (location.hash !== wanted)
      history.replaceState(null, '', `${location.pathname}${location.search}${wanted}`);
  }, [currentId, showThreads, topic]);

  const openTopic = useCallback((name: string) => {
    setTopic(name);
    setShowThreads(false);
    setDialog(null);
    setDrawerOpen(false);
  }, []);

  const openAt = useCallback<OpenConversation>(
    (channelId, messageId) => {
      select(channelId);
      if (messageId) setJump((j) => ({ channelId, messageId, nonce: (j?.nonce ?? 0) + 1 }));
    },
    [select],
  );

  useEffect(() => {
    const onHash = () => {
      const id = channelFromHash();
      const followed = topicFromHash();
      if (id) openAt(id, messageFromHash());
      else if (followed) openTopic(followed);
      else if (location.hash === THREADS_HASH) setShowThreads(true);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const showError = useCallback((text: string) => {
    const id = ++toastId.current;
    setToasts((list) => [...list, { id, text }]);
    setTimeout(() => setToasts((list) => list.filter((toast) => toast.id !== id)), TOAST_MS);
  }, []);
  // Something the reader should know that is not a failure: the same toast, announced politely.
  const [notice, setNotice] = useState<string | null>(null);
  const showNotice = useCallback((text: string) => {
    setNotice(text);
    setTimeout(() => setNotice((shown) => (shown === text ? null : shown)), TOAST_MS);
  }, []);

  useNotifications({ channelId: currentId, topic }, openAt, openTopic);

  // Ctrl/Cmd+K opens the switcher; Alt+Up/Down moves through the conversations in sidebar order.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        setDialog((d) => (d === 'switcher' ? null : 'switcher'));
      } else if (
        event.altKey &&
        (event.key === 'ArrowUp' || event.key === 'ArrowDown') &&
        sorted.length > 0
      ) {
        event.preventDefault();
        const at = sorted.findIndex((c) => c.id === currentId);
        const step = event.key === 'ArrowDown' ? 1 : -1;
        select(sorted[(at + step + sorted.length) % sorted.length]!.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [sorted, currentId, select]);

  const onAction = (action: SidebarAction) => {
    setDrawerOpen(false);
    if (action === 'signOut') void store.client.request('signOut', {}).catch(() => undefined);
    else if (action === 'threads') {
      setShowThreads(true);
      setTopic(null);
      setDialog(null);
    } else setDialog(action);
  };

  const openThread = useCallback(
    (message: Message) =>
      setPanel({ channelId: message.channelId, kind: 'thread', rootId: message.parentId ?? message.id }),
    [],
  );
  const openFollowed = (thread: FollowedThread) => {
    select(thread.channelId);
    setPanel({ channelId: thread.channelId, kind: 'thread', rootId: thread.threadId });
  };
  /** A search result: a thread's reply opens in its thread, any other message in context. */
  const openResult = (message: Message) => {
    select(message.channelId);
    if (message.parentId === null) setFocus({ channelId: message.channelId, seq: message.seq });
    else openThread(message);
  };
  const toggleDetails = useCallback(
    () =>
      setPanel((open) =>
        open?.kind === 'details' && open.channelId === currentId
          ? null
          : currentId
            ? { channelId: currentId, kind: 'details' }
            : null,
      ),
    [currentId],
  );

  return (
    <div className="workspace">
      <a
        className="skip-link"
        href={`#${COMPOSER_ID}`}
        onClick={(event) => {
          // The address holds the open conversation, so move focus without changing it.
          event.preventDefault();
          focusComposer();
        }}
      >
        {t('app.skipToComposer')}
      </a>
      <ConnectionBanner />
      <div className={drawerOpen ? 'layout drawer-open' : 'layout'}>
        <Sidebar
          currentId={currentId}
          threadsOpen={showThreads}
          topicOpen={topic}
          onSelect={select}
          onOpenTopic={openTopic}
          onAction={onAction}
        />
        {drawerOpen && <div className="drawer-backdrop" aria-hidden="true" onClick={closeDrawer} />}
        <main
          className={sidePanel ? 'conversation with-panel' : 'conversation'}
          aria-labelledby={current || showThreads || topic ? 'channel-title' : undefined}
          aria-label={current || showThreads || topic ? undefined : t('app.conversation')}
        >
          {topic ? (
            <div className="conversation-column">
              <TopicView
                key={topic}
                topic={topic}
                drawer={drawer}
                onError={showError}
                onUnfollowed={() => setTopic(null)}
              />
            </div>
          ) : showThreads ? (
            <div className="conversation-column">
              <ThreadsView drawer={drawer} onOpen={openFollowed} />
            </div>
          ) : current ? (
            <>
              <div className="conversation-column">
                <ChannelView
                  key={current.id}
                  channel={current}
                  openAt={jump?.channelId === current.id ? jump : null}
                  drawer={drawer}
                  focusSeq={focus?.channelId === current.id ? focus.seq : null}
                  onUnfocus={() => setFocus(null)}
                  onLeave={setLeaving}
                  onError={showError}
                  onOpenThread={openThread}
                  onToggleDetails={toggleDetails}
                  detailsOpen={sidePanel?.kind === 'details'}
                />
              </div>
              {sidePanel?.kind === 'thread' && (
                <ThreadPanel
                  key={sidePanel.rootId}
                  channel={current}
                  rootId={sidePanel.rootId}
                  onClose={() => setPanel(null)}
                  onError={showError}
                />
              )}
              {sidePanel?.kind === 'details' && (
                <ChannelDetails channel={current} onClose={() => setPanel(null)} onLeave={setLeaving} />
              )}
            </>
          ) : (
            <div className="empty-state">
              <MenuButton drawer={drawer} />
              <h1>{t('app.welcome', { name: me.displayName })}</h1>
              <p>{t('app.noChannels')}</p>
              <div className="form-actions">
                <button type="button" className="button primary" onClick={() => setDialog('create')}>
                  <Icon name="plus" size={16} />
                  {t('sidebar.create')}
                </button>
                <button type="button" className="button" onClick={() => setDialog('browse')}>
                  {t('sidebar.browse')}
                </button>
              </div>
            </div>
          )}
        </main>
      </div>

      {dialog === 'create' && (
        <CreateChannelDialog
          onClose={() => setDialog(null)}
          onOpen={select}
          onCreated={(channel) => showNotice(t('create.created', { slug: channel.name }))}
        />
      )}
      {dialog === 'browse' && <BrowseChannelsDialog onClose={() => setDialog(null)} onOpen={select} />}
      {dialog === 'direct' && <StartDirectDialog onClose={() => setDialog(null)} onOpen={select} />}
      {dialog === 'switcher' && <QuickSwitcher onClose={() => setDialog(null)} onOpen={select} />}
      {dialog === 'settings' && <SettingsDialog onClose={() => setDialog(null)} />}
      {dialog === 'profile' && <SettingsDialog tab="profile" onClose={() => setDialog(null)} />}
      {dialog === 'search' && <SearchDialog onClose={() => setDialog(null)} onOpen={openResult} />}
      {dialog === 'followTopic' && (
        <FollowTopicDialog onClose={() => setDialog(null)} onFollowed={openTopic} />
      )}
      {leaving && (
        <LeaveChannelDialog
          channel={leaving}
          onClose={() => setLeaving(null)}
          onLeft={() => {
            setLeaving(null);
            setSelectedId(null);
          }}
        />
      )}

      <div className="toasts notices" role="status">
        {notice && (
          <div className="toast">
            <span>{notice}</span>
            <button
              type="button"
              className="icon-button"
              aria-label={t('common.dismiss')}
              onClick={() => setNotice(null)}
            >
              <Icon name="close" size={16} />
            </button>
          </div>
        )}
      </div>
      <div className="toasts" role="alert">
        {toasts.map((toast) => (
          <div key={toast.id} className="toast">
            <span>{toast.text}</span>
            <button
              type="button"
              className="icon-button"
              aria-label={t('common.dismiss')}
              onClick={() => setToasts((list) => list.filter((x) => x.id !== toast.id))}
            >
              <Icon name="close" size={16} />
            </button>
          </div>
        ))}
      </div>
    </div>
  );
}

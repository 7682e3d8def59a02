// The signed-in app: connection banner, the Channels navigation, the open conversation, dialogs,
// keyboard shortcuts and error toasts. The open conversation is kept in the address (#/c/<id>) so a
// reload or a second tab can point at it.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChannelSummary } from '@switchboard/protocol';
import { sidebarOrder } from '../format.ts';
import { useStore, useUi } from '../state/hooks.tsx';
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
import { Sidebar, type SidebarAction } from './Sidebar.tsx';
import { useNotifications, type OpenConversation } from './useNotifications.ts';

type OpenDialog = Exclude<SidebarAction, 'signOut'> | null;

/** `#/c/<channel>`, or `#/c/<channel>/m/<message>` to open it at that message (a notification's link). */
const HASH = /^#\/c\/([\w-]{1,64})(?:\/m\/([\w-]{1,64}))?$/;
const channelFromHash = () => HASH.exec(location.hash)?.[1] ?? null;
const messageFromHash = () => HASH.exec(location.hash)?.[2] ?? null;
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

  const users = useUi((s) => s.users);
  const sorted = useMemo(() => {
    const { rooms, directs } = sidebarOrder(channels, users, me.id, t);
    return [...rooms, ...directs].map((c) => c.channel);
  }, [channels, users, me.id, t]);
  const current = channels.find((c) => c.id === selectedId) ?? sorted[0] ?? null;
  const currentId = current?.id ?? null;

  // Choosing a conversation puts focus in its message box, after any dialog has closed.
  const [focusRequest, setFocusRequest] = useState(0);
  useEffect(() => {
    if (focusRequest > 0) focusComposer();
  }, [focusRequest]);

  const select = useCallback(
    (channelId: string) => {
      setSelectedId(channelId);
      setFocus(null);
      setDialog(null);
      setFocusRequest((n) => n + 1);
      localStorage.setItem(lastChannelKey(me.id), channelId);
    },
    [me.id],
  );

  useEffect(() => {
    const wanted = currentId ? `#/c/${currentId}` : '';
    if (location.hash !== wanted)
      history.replaceState(null, '', `${location.pathname}${location.search}${wanted}`);
  }, [currentId]);

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
      if (id) openAt(id, messageFromHash());
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const showError = useCallback((text: string) => {
    const id = ++toastId.current;
    setToasts((list) => [...list, { id, text }]);
    setTimeout(() => setToasts((list) => list.filter((toast) => toast.id !== id)), TOAST_MS);
  }, []);

  useNotifications(currentId, openAt);

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
    if (action === 'signOut') void store.client.request('signOut', {}).catch(() => undefined);
    else setDialog(action);
  };

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
      <div className="layout">
        <Sidebar currentId={currentId} onSelect={select} onAction={onAction} />
        <main
          className="conversation"
          aria-labelledby={current ? 'channel-title' : undefined}
          aria-label={current ? undefined : t('app.conversation')}
        >
          {current ? (
            <ChannelView
              key={current.id}
              channel={current}
              openAt={jump?.channelId === current.id ? jump : null}
              focusSeq={focus?.channelId === current.id ? focus.seq : null}
              onUnfocus={() => setFocus(null)}
              onLeave={setLeaving}
              onError={showError}
            />
          ) : (
            <div className="empty-state">
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

      {dialog === 'create' && <CreateChannelDialog onClose={() => setDialog(null)} onOpen={select} />}
      {dialog === 'browse' && <BrowseChannelsDialog onClose={() => setDialog(null)} onOpen={select} />}
      {dialog === 'direct' && <StartDirectDialog onClose={() => setDialog(null)} onOpen={select} />}
      {dialog === 'switcher' && <QuickSwitcher onClose={() => setDialog(null)} onOpen={select} />}
      {dialog === 'settings' && <SettingsDialog onClose={() => setDialog(null)} />}
      {dialog === 'search' && (
        <SearchDialog
          onClose={() => setDialog(null)}
          onOpen={(channelId, seq) => {
            select(channelId);
            setFocus({ channelId, seq });
          }}
        />
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

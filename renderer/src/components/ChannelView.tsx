// One open conversation: its header, the log (or a search result in context), who is typing, and the
// composer with the files attached to the next message (or, for an archived channel, a note that it
// is read-only). Thread replies not sent to the channel stay out of the log: they show in the thread
// panel.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChannelSummary } from '@switchboard/protocol';
import { inChannelList } from '@switchboard/client/browser';
import { channelLabel, directPartner, errorText } from '../format.ts';
import type { DisplayMessage } from '../session/types.ts';
import { useStore, useUi } from '../state/store.ts';
import { useAttachments } from './attachments.ts';
import { AddPeopleDialog } from './ChannelDialogs.tsx';
import { Composer, focusComposer } from './Composer.tsx';
import { HeaderAction, Icon } from './Icon.tsx';
import { MessageContext } from './MessageContext.tsx';
import { MessageList, type MessageListProps } from './MessageList.tsx';
import { PresenceDot } from './PresenceDot.tsx';
import { TypingIndicator } from './TypingIndicator.tsx';
import { useMessageActions } from './useMessageActions.tsx';
import { MenuButton, type Drawer } from './MenuButton.tsx';

interface ChannelViewProps {
  channel: ChannelSummary;
  /** A message to bring into view (a notification was clicked). */
  openAt?: MessageListProps['openAt'];
  drawer: Drawer;
  /** Show this message in context (a search result) instead of the newest messages. */
  focusSeq: number | null;
  onUnfocus(): void;
  onLeave(channel: ChannelSummary): void;
  onError(text: string): void;
  onOpenThread(message: DisplayMessage): void;
  /** Shows or hides the channel's details beside it. */
  onToggleDetails(): void;
  detailsOpen: boolean;
}

export function ChannelView({
  channel,
  openAt = null,
  drawer,
  focusSeq,
  onUnfocus,
  onLeave,
  onError,
  onOpenThread,
  onToggleDetails,
  detailsOpen,
}: ChannelViewProps) {
  const { t } = useTranslation();
  const store = useStore();
  const me = useUi((s) => s.user)!;
  const users = useUi((s) => s.users);
  // Whether the channel's log is loaded; the log itself takes its messages from the store.
  const loaded = useUi((s) => s.views[channel.id] !== undefined);
  const [opened] = useState(() => ({
    readSeq: channel.readSeq,
    headSeq: channel.headSeq,
    unreadCount: channel.unreadCount,
  }));
  const [addingPeople, setAddingPeople] = useState(false);
  const [openError, setOpenError] = useState<string | null>(null);
  const lastMarked = useRef(channel.readSeq);
  const label = channelLabel(channel, users, me.id, t);
  const partner = directPartner(channel, me.id);
  const title = channel.kind === 'direct' ? label : `#${label}`;
  const archived = channel.archivedAt !== null;
  const actions = useMessageActions({ readOnly: archived, onError, afterEdit: focusComposer, onOpenThread });

  useEffect(() => {
    setOpenError(null);
    store.openChannel(channel.id).catch((err: unknown) => setOpenError(errorText(err, t)));
  }, [channel.id, store, t]);

  const attachments = useAttachments(store.client, channel.id, t);
  const [dropping, setDropping] = useState(false);

  const [around, setAround] = useState<{ seq: number; messages: DisplayMessage[] } | null>(null);
  useEffect(() => {
    setAround(null);
    if (focusSeq === null) return;
    let current = true;
    store.client
      .request('openAround', { channelId: channel.id, seq: focusSeq })
      .then((page) => current && setAround({ seq: focusSeq, messages: page.messages.filter(inChannelList) }))
      .catch((err: unknown) => current && setOpenError(errorText(err, t)));
    return () => {
      current = false;
    };
  }, [channel.id, focusSeq, store, t]);

  const onSeen = useCallback(
    (seq: number) => {
      if (seq <= lastMarked.current || seq <= channel.readSeq) return;
      lastMarked.current = seq;
      store.client.request('markRead', { channelId: channel.id, seq }).catch(() => {
        // The cursor only moves forward on the server; the next view of the channel tries again.
        lastMarked.current = channel.readSeq;
      });
    },
    [channel.id, channel.readSeq, store],
  );

  const { onEdit } = actions.handlers;
  const onEditLast = useCallback(() => {
    const messages = store.getState().views[channel.id]?.messages ?? [];
    const last = [...messages]
      .reverse()
      .find((m) => m.authorId === me.id && m.delivery === 'sent' && m.deletedAt === null);
    if (last) onEdit(last);
  }, [store, channel.id, me.id, onEdit]);
  const onLoadOlder = useCallback(() => store.loadOlder(channel.id), [store, channel.id]);

  return (
    <div
      className="channel-drop"
      onDragOver={(event) => {
        if (archived || !event.dataTransfer.types.includes('Files')) return;
        event.preventDefault();
        setDropping(true);
      }}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDropping(false);
      }}
      onDrop={(event) => {
        if (archived || event.dataTransfer.files.length === 0) return;
        event.preventDefault();
        setDropping(false);
        attachments.add([...event.dataTransfer.files]);
      }}
    >
      {dropping && (
        <div className="drop-hint" aria-hidden="true">
          {t('files.drop')}
        </div>
      )}
      <header className="channel-header">
        <MenuButton drawer={drawer} />
        <h1 id="channel-title">
          {channel.kind === 'direct' ? (
            <PresenceDot status={partner ? users.get(partner)?.presence : 'online'} />
          ) : (
            <Icon name={channel.kind === 'private' ? 'lock' : 'hash'} size={18} />
          )}
          <span className="sr-only">{channel.kind === 'private' ? t('sidebar.private') : ''}</span>
          <span>{label}</span>
        </h1>
        {channel.topic && <p className="channel-topic">{channel.topic}</p>}
        {channel.kind !== 'direct' && (
          // On narrow screens the labels leave the screen but stay the buttons' names (.button-label).
          <div className="channel-actions">
            {!archived && (
              <HeaderAction
                icon="addPerson"
                label={t('channel.addPeople')}
                onClick={() => setAddingPeople(true)}
              />
            )}
            <HeaderAction
              icon="info"
              label={t('details.open')}
              pressed={detailsOpen}
              onClick={onToggleDetails}
            />
            <HeaderAction icon="leave" label={t('channel.leave')} onClick={() => onLeave(channel)} />
          </div>
        )}
      </header>

      {openError && (
        <p className="inline-error" role="alert">
          {openError}
        </p>
      )}

      {around && loaded ? (
        <MessageContext
          label={title}
          channelId={channel.id}
          page={around.messages}
          focusSeq={around.seq}
          selfId={me.id}
          users={users}
          editingKey={actions.editingKey}
          handlers={actions.handlers}
          onBack={onUnfocus}
        />
      ) : loaded ? (
        <MessageList
          channel={channel}
          openAt={openAt}
          label={title}
          startText={
            channel.kind === 'direct'
              ? t('messages.startDirect', { name: label })
              : t('messages.start', { channel: title })
          }
          selfId={me.id}
          users={users}
          opened={opened}
          editingKey={actions.editingKey}
          onSeen={onSeen}
          onLoadOlder={onLoadOlder}
          {...actions.handlers}
        />
      ) : (
        <div className="log-wrap">
          <p className="log-edge" role="status">
            {t('messages.loading')}
          </p>
        </div>
      )}

      <TypingIndicator channelId={channel.id} />
      {archived ? (
        <p className="archived-note" role="note">
          <Icon name="archive" size={16} />
          {t('details.archivedNote')}
        </p>
      ) : (
        <Composer
          key={channel.id}
          channelId={channel.id}
          attachments={attachments}
          placeholder={t('composer.placeholder', { channel: title })}
          onEditLast={onEditLast}
          onError={onError}
        />
      )}

      {addingPeople && <AddPeopleDialog channel={channel} onClose={() => setAddingPeople(false)} />}
      {actions.dialogs}
    </div>
  );
}

// One open conversation: its header, the log, who is typing, and the composer (or, for an archived
// channel, a note that it is read-only). Thread replies not sent to the channel stay out of the log:
// they show in the thread panel.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChannelSummary } from '@switchboard/protocol';
import { inChannelList } from '@switchboard/client/browser';
import { channelLabel, directPartner, errorText } from '../format.ts';
import type { DisplayMessage } from '../session/types.ts';
import { useStore, useUi } from '../state/hooks.tsx';
import { AddPeopleDialog } from './ChannelDialogs.tsx';
import { Composer, focusComposer } from './Composer.tsx';
import { Icon } from './Icon.tsx';
import { MessageList } from './MessageList.tsx';
import { PresenceDot } from './PresenceDot.tsx';
import { TypingIndicator } from './TypingIndicator.tsx';
import { useMessageActions } from './useMessageActions.tsx';

interface ChannelViewProps {
  channel: ChannelSummary;
  onLeave(channel: ChannelSummary): void;
  onError(text: string): void;
  onOpenThread(message: DisplayMessage): void;
  /** Shows or hides the channel's details beside it. */
  onToggleDetails(): void;
  detailsOpen: boolean;
}

export function ChannelView({
  channel,
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
  const view = useUi((s) => s.views[channel.id]);
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
  const listed = useMemo(() => view && { ...view, messages: view.messages.filter(inChannelList) }, [view]);

  useEffect(() => {
    setOpenError(null);
    store.openChannel(channel.id).catch((err: unknown) => setOpenError(errorText(err, t)));
  }, [channel.id, store, t]);

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
      .find((m) => m.authorId === me.id && m.delivery === 'sent' && m.deletedAt === null && inChannelList(m));
    if (last) onEdit(last);
  }, [store, channel.id, me.id, onEdit]);
  const onLoadOlder = useCallback(() => store.loadOlder(channel.id), [store, channel.id]);

  return (
    <>
      <header className="channel-header">
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
          <div className="channel-actions">
            {!archived && (
              <button type="button" className="button subtle small" onClick={() => setAddingPeople(true)}>
                <Icon name="addPerson" size={16} />
                {t('channel.addPeople')}
              </button>
            )}
            <button
              type="button"
              className="button subtle small"
              aria-pressed={detailsOpen}
              onClick={onToggleDetails}
            >
              <Icon name="info" size={16} />
              {t('details.open')}
            </button>
            <button type="button" className="button subtle small" onClick={() => onLeave(channel)}>
              <Icon name="leave" size={16} />
              {t('channel.leave')}
            </button>
          </div>
        )}
      </header>

      {openError && (
        <p className="inline-error" role="alert">
          {openError}
        </p>
      )}

      {listed ? (
        <MessageList
          channel={channel}
          label={title}
          startText={
            channel.kind === 'direct'
              ? t('messages.startDirect', { name: label })
              : t('messages.start', { channel: title })
          }
          view={listed}
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
          placeholder={t('composer.placeholder', { channel: title })}
          onEditLast={onEditLast}
          onError={onError}
        />
      )}

      {addingPeople && <AddPeopleDialog channel={channel} onClose={() => setAddingPeople(false)} />}
      {actions.dialogs}
    </>
  );
}

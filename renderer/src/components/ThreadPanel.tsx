// A thread beside its channel (over it on narrow screens): the root, its replies, and a reply box
// (which takes files too) with "also send to the channel". While it is on screen, a thread the reader follows is marked
// read on the server, so the count agrees on every device.
import { useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChannelSummary } from '@switchboard/protocol';
import { displayKey } from '@switchboard/client/browser';
import { channelLabel, errorText, isSameDay } from '../format.ts';
import type { RenderContext } from '../markdown/render.ts';
import { useStore, useUi } from '../state/store.ts';
import { useAttachments } from './attachments.ts';
import { Composer, THREAD_COMPOSER_ID } from './Composer.tsx';
import { Icon, IconButton } from './Icon.tsx';
import { MessageItem } from './MessageItem.tsx';
import { useMessageActions } from './useMessageActions.tsx';

const GROUP_GAP_MS = 5 * 60_000;
const focusReplyBox = () => document.getElementById(THREAD_COMPOSER_ID)?.focus();

export function ThreadPanel({
  channel,
  rootId,
  onClose,
  onError,
}: {
  channel: ChannelSummary;
  /** The thread's root message. */
  rootId: string;
  onClose(): void;
  onError(text: string): void;
}) {
  const { t, i18n } = useTranslation();
  const store = useStore();
  const me = useUi((s) => s.user)!;
  const users = useUi((s) => s.users);
  const view = useUi((s) => s.threadViews[rootId]);
  const followed = useUi((s) => s.threads.find((thread) => thread.threadId === rootId));
  const [alsoInChannel, setAlsoInChannel] = useState(false);
  const [openError, setOpenError] = useState<string | null>(null);
  const titleId = useId();
  const archived = channel.archivedAt !== null;
  const actions = useMessageActions({ readOnly: archived, onError, afterEdit: focusReplyBox });
  const label = `#${channelLabel(channel, users, me.id, t)}`;
  const attachments = useAttachments(store.client, channel.id, t);

  useEffect(() => {
    setOpenError(null);
    store.openThread(rootId).catch((err: unknown) => setOpenError(errorText(err, t)));
    return () => store.closeThread(rootId);
  }, [store, rootId, t]);

  const messages = view?.messages ?? [];
  const root = messages[0]?.id === rootId ? messages[0] : undefined;
  const replies = root ? messages.slice(1) : messages;

  // On screen: the thread is read up to its newest stored reply.
  const newest = replies.reduce((max, m) => (m.delivery === 'sent' ? Math.max(max, m.seq) : max), 0);
  useEffect(() => {
    const markRead = () => {
      if (!followed || newest <= followed.readSeq || document.visibilityState !== 'visible') return;
      store.client.request('markThreadRead', { messageId: rootId, seq: newest }).catch(() => undefined);
    };
    markRead();
    document.addEventListener('visibilitychange', markRead);
    return () => document.removeEventListener('visibilitychange', markRead);
  }, [store, rootId, followed, newest]);

  // New replies come into view when the reader is at the end already, or wrote them.
  const scroller = useRef<HTMLDivElement>(null);
  const atEnd = useRef(true);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && atEnd.current) el.scrollTop = el.scrollHeight;
  }, [messages.length]);

  const self = users.get(me.id)?.username ?? null;
  const renderContext = useMemo<RenderContext>(() => ({ self }), [self]);
  const { onEdit } = actions.handlers;
  const onEditLast = useCallback(() => {
    const last = [...replies]
      .reverse()
      .find((m) => m.authorId === me.id && m.delivery === 'sent' && !m.deletedAt);
    if (last) onEdit(last);
  }, [replies, me.id, onEdit]);

  const item = (message: (typeof messages)[number], index: number, list: typeof messages) => {
    const prev = list[index - 1];
    const startsGroup =
      !prev ||
      prev.authorId !== message.authorId ||
      prev.deletedAt !== null ||
      !isSameDay(prev.ts, message.ts) ||
      message.ts - prev.ts > GROUP_GAP_MS;
    const key = displayKey(message);
    return (
      <MessageItem
        key={key}
        message={message}
        authorName={users.get(message.authorId)?.displayName ?? t('messages.unknownAuthor')}
        own={message.authorId === me.id}
        startsGroup={startsGroup}
        showDay={false}
        showNew={false}
        editing={actions.editingKey === key}
        renderContext={renderContext}
        t={t}
        language={i18n.language}
        selfId={me.id}
        {...actions.handlers}
      />
    );
  };

  return (
    <aside className="side-panel thread-panel" aria-labelledby={titleId}>
      <div className="side-panel-header">
        <h2 id={titleId}>
          <Icon name="threads" size={18} />
          {t('threads.panelTitle')}
          <span className="side-panel-context">{label}</span>
        </h2>
        <IconButton icon="close" label={t('threads.close')} onClick={onClose} />
      </div>
      {openError && (
        <p className="inline-error" role="alert">
          {openError}
        </p>
      )}
      <div
        ref={scroller}
        className="thread-scroll"
        role="log"
        aria-label={t('threads.logLabel')}
        onScroll={(e) => {
          const el = e.currentTarget;
          atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
        }}
      >
        {root && item(root, 0, [root])}
        <div className="divider thread-divider" role="separator">
          <span>{t('threads.replies', { count: root?.replyCount ?? replies.length })}</span>
        </div>
        {view?.hasOlder && (
          <button
            type="button"
            className="link-button thread-older"
            disabled={view.loadingOlder}
            onClick={() => void store.loadOlderReplies(rootId)}
          >
            {t('threads.older')}
          </button>
        )}
        {replies.map((reply, index) => item(reply, index, replies))}
      </div>
      {archived ? (
        <p className="archived-note" role="note">
          {t('details.archivedNote')}
        </p>
      ) : (
        <div className="thread-composer">
          <Composer
            key={rootId}
            channelId={channel.id}
            attachments={attachments}
            placeholder={t('threads.placeholder')}
            onEditLast={onEditLast}
            onError={onError}
            thread={{
              parentId: rootId,
              alsoInChannel,
              inputId: THREAD_COMPOSER_ID,
              label: t('threads.replyLabel'),
            }}
          />
          <label className="also-send">
            <input
              type="checkbox"
              checked={alsoInChannel}
              onChange={(e) => setAlsoInChannel(e.target.checked)}
            />
            {t('threads.alsoSend', { channel: label })}
          </label>
        </div>
      )}
      {actions.dialogs}
    </aside>
  );
}

// One message row: optional day and "new" dividers, the author line when a group starts, the safe
// markdown body, and its state (sending, not sent with retry, edited, deleted), its reactions and
// thread summary, and its actions (react, reply in a thread; edit and delete your own).
// A notice (someone was added) is one quiet line in the reader's language.
import { memo, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { formatClockTime, formatDay, formatFullDate, formatTime, noticeText } from '../format.ts';
import { renderMarkdown, type MessageRenderContext, type RenderContext } from '../markdown/render.ts';
import type { DisplayMessage } from '../session/types.ts';
import { useUi } from '../state/store.ts';
import { FormError } from './Form.tsx';
import { Icon, IconButton } from './Icon.tsx';
import { MessageFiles } from './MessageFiles.tsx';
import { SEQ_ATTRIBUTE } from './onScreen.ts';
import { Reactions } from './Reactions.tsx';
import type { MessageExtras } from './useMessageActions.tsx';

export interface MessageItemProps {
  message: DisplayMessage;
  authorName: string;
  own: boolean;
  startsGroup: boolean;
  showDay: boolean;
  showNew: boolean;
  editing: boolean;
  renderContext: RenderContext;
  /** The reader's texts and language, from the list: looked up once there, not in every row it mounts. */
  t: TFunction;
  language: string;
  onEdit(message: DisplayMessage | null): void;
  onSaveEdit(message: DisplayMessage, text: string): Promise<void>;
  onDelete(message: DisplayMessage): void;
  onRetry(message: DisplayMessage): void;
  onDiscard(message: DisplayMessage): void;
  // Reactions and threads
  selfId: string;
  extras: MessageExtras;
}

export const MessageItem = memo(function MessageItem(props: MessageItemProps) {
  const { message, authorName, own, startsGroup, showDay, showNew, editing, renderContext, t, language } =
    props;
  const deleted = message.deletedAt !== null;
  const pending = message.delivery === 'pending';
  const failed = message.delivery === 'failed';
  const time = formatTime(message.ts, language);
  const { extras } = props;
  const stored = message.delivery === 'sent' && !deleted;
  const writable = stored && !extras.readOnly;
  const pickReaction = () => extras.onPickReaction(message);
  // A notice names people, and so does a message that mentions someone: only those rows follow the
  // list of users (other text rows do not re-render when it changes).
  const users = useUi((s) => (message.kind === 'notice' || message.mentions.length > 0 ? s.users : null));
  const messageContext = useMemo<MessageRenderContext>(
    () => ({ self: renderContext.self, mentioned: mentionedNames(message.mentions, users) }),
    [renderContext.self, message.mentions, users],
  );
  const dividers = (
    <>
      {showDay && (
        <div className="divider" role="separator">
          <span>{formatDay(message.ts, language, t)}</span>
        </div>
      )}
      {showNew && (
        <div className="divider divider-new" role="separator" data-testid="new-divider">
          <span>{t('messages.new')}</span>
        </div>
      )}
    </>
  );

  if (message.kind === 'notice') {
    return (
      <div className="message-row" {...seqAttribute(message)}>
        {dividers}
        <div
          className="message notice"
          data-delivery={message.delivery}
          data-kind="notice"
          data-testid="message"
        >
          <div className="message-gutter">
            <Icon name="addPerson" size={16} />
          </div>
          <p className="notice-text">
            {deleted ? t('messages.deleted') : noticeText(message, authorName, users!, t)}{' '}
            <time dateTime={new Date(message.ts).toISOString()} title={formatFullDate(message.ts, language)}>
              {time}
            </time>
          </p>
        </div>
      </div>
    );
  }

  return (
    <div className="message-row" {...seqAttribute(message)}>
      {dividers}
      <div
        className={`message${startsGroup ? ' group-start' : ''}${own ? ' own' : ''}${pending ? ' pending' : ''}${failed ? ' failed' : ''}`}
        data-delivery={message.delivery}
        data-testid="message"
      >
        <div className="message-gutter">
          {startsGroup ? (
            <Avatar userId={message.authorId} name={authorName} />
          ) : (
            <time
              className="message-hover-time"
              dateTime={new Date(message.ts).toISOString()}
              title={formatFullDate(message.ts, language)}
            >
              {formatClockTime(message.ts, language)}
            </time>
          )}
        </div>
        <div className="message-main">
          {startsGroup ? (
            <div className="message-meta">
              <span className="message-author">{authorName}</span>
              <time
                dateTime={new Date(message.ts).toISOString()}
                title={formatFullDate(message.ts, language)}
              >
                {time}
              </time>
            </div>
          ) : (
            <span className="sr-only">{authorName}</span>
          )}

          {editing ? (
            <EditBox
              message={message}
              onCancel={() => props.onEdit(null)}
              onSave={(text) => props.onSaveEdit(message, text)}
            />
          ) : deleted ? (
            <p className="message-deleted">{t('messages.deleted')}</p>
          ) : (
            <div
              className="message-body"
              dangerouslySetInnerHTML={{ __html: renderMarkdown(message.text, messageContext) }}
            />
          )}

          {!deleted && <MessageFiles files={message.files} />}

          {message.editedAt !== null && !deleted && !editing && (
            <span className="message-edited">{t('messages.edited')}</span>
          )}
          {message.parentId !== null && extras.onOpenThread && (
            <button
              type="button"
              className="link-button reply-note"
              onClick={() => extras.onOpenThread?.(message)}
            >
              {t('threads.repliedInThread')}
            </button>
          )}
          {stored && message.reactions.length > 0 && (
            <Reactions
              reactions={message.reactions}
              selfId={props.selfId}
              nameOf={extras.nameOf}
              onToggle={writable ? (emoji, reacted) => extras.onReact(message, emoji, reacted) : undefined}
              onAdd={writable ? pickReaction : undefined}
            />
          )}
          {message.parentId === null && message.replyCount > 0 && extras.onOpenThread && (
            <ThreadSummary message={message} extras={extras} language={language} />
          )}

          {pending && (
            <p className="message-status" data-testid="message-pending">
              {t('messages.sending')}
            </p>
          )}
          {failed && (
            <div className="message-status message-failed">
              <span>
                {t('messages.notSent', { reason: message.failure?.message ?? t('messages.unknownReason') })}
              </span>
              <button type="button" className="button small" onClick={() => props.onRetry(message)}>
                <Icon name="retry" size={14} />
                {t('messages.retry')}
              </button>
              <button type="button" className="button small subtle" onClick={() => props.onDiscard(message)}>
                {t('messages.discard')}
              </button>
            </div>
          )}
        </div>

        {writable && !editing && (
          <div className="message-actions" role="group" aria-label={t('messages.actions')}>
            <IconButton icon="smile" label={t('reactions.add')} onClick={pickReaction} size={16} />
            {extras.onOpenThread && (
              <IconButton
                icon="reply"
                label={t('threads.reply')}
                onClick={() => extras.onOpenThread?.(message)}
                size={16}
              />
            )}
            {own && (
              <>
                <IconButton
                  icon="edit"
                  label={t('messages.edit')}
                  onClick={() => props.onEdit(message)}
                  size={16}
                />
                <IconButton
                  icon="trash"
                  label={t('messages.delete')}
                  onClick={() => props.onDelete(message)}
                  size={16}
                  danger
                />
              </>
            )}
          </div>
        )}
      </div>
    </div>
  );
});

/** A sent message's place in its stream, for what-was-on-screen (onScreen.ts). */
/** The usernames of the users a message mentions (by id, as stored); a user not known here is left out. */
function mentionedNames(
  userIds: readonly string[],
  users: ReadonlyMap<string, { username: string }> | null,
): ReadonlySet<string> {
  return new Set(userIds.flatMap((id) => users?.get(id)?.username ?? []));
}

const seqAttribute = (message: DisplayMessage) =>
  message.delivery === 'sent' ? { [SEQ_ATTRIBUTE]: message.seq } : {};

/** A thread's root: how many replies, who wrote the last ones, when; opens the thread. */
function ThreadSummary({
  message,
  extras,
  language,
}: {
  message: DisplayMessage;
  extras: MessageExtras;
  language: string;
}) {
  const { t } = useTranslation();
  return (
    <button type="button" className="thread-summary" onClick={() => extras.onOpenThread?.(message)}>
      <span className="thread-repliers" aria-hidden="true">
        {message.replierIds.map((id) => (
          <Avatar key={id} userId={id} name={extras.nameOf(id)} />
        ))}
      </span>
      <span className="thread-count">{t('threads.replies', { count: message.replyCount })}</span>
      {message.lastReplyAt !== null && (
        <span className="thread-last">
          {t('threads.lastReply', { time: formatTime(message.lastReplyAt, language) })}
        </span>
      )}
    </button>
  );
}

/** Initials on a colour picked from the user id, so a person keeps their colour everywhere. */
export function Avatar({ userId, name }: { userId: string; name: string }) {
  // FNV-1a: ids that share a long prefix (time-ordered UUIDs) still spread over the colours.
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) hash = Math.imul(hash ^ userId.charCodeAt(i), 0x01000193) >>> 0;
  const initials = [...name.trim()].slice(0, 2).join('').toUpperCase() || '?';
  return (
    <span className={`avatar avatar-${hash % AVATAR_COLOURS}`} aria-hidden="true">
      {initials}
    </span>
  );
}

const AVATAR_COLOURS = 8;

/**
 * Focuses `element` once it can take focus: the virtualized list hides itself (visibility: hidden)
 * while it re-measures after a row changes size, and hidden elements refuse focus.
 */
function focusWhenShown(element: HTMLElement, withinMs = 2_000): () => void {
  const until = performance.now() + withinMs;
  let frame = 0;
  const attempt = () => {
    element.focus();
    if (document.activeElement !== element && performance.now() < until)
      frame = requestAnimationFrame(attempt);
  };
  attempt();
  return () => cancelAnimationFrame(frame);
}

function EditBox({
  message,
  onCancel,
  onSave,
}: {
  message: DisplayMessage;
  onCancel(): void;
  onSave(text: string): Promise<void>;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState(message.text);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const input = inputRef.current!;
    input.setSelectionRange(input.value.length, input.value.length);
    return focusWhenShown(input);
  }, []);

  const save = async () => {
    const trimmed = text.trim();
    if (!trimmed || trimmed === message.text) return onCancel();
    setBusy(true);
    try {
      await onSave(trimmed);
    } catch (err) {
      setError((err as { message?: string }).message ?? String(err));
      setBusy(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onCancel();
    } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void save();
    }
  };

  return (
    <div className="edit-box">
      <textarea
        ref={inputRef}
        aria-label={t('messages.editLabel')}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        disabled={busy}
      />
      <FormError error={error} />
      <div className="edit-actions">
        <span className="hint">{t('messages.editHint')}</span>
        <button type="button" className="button small" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="button" className="button small primary" onClick={() => void save()} disabled={busy}>
          {t('common.save')}
        </button>
      </div>
    </div>
  );
}

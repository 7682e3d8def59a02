// The message box: Enter sends, Shift+Enter is a new line, Up on an empty box edits your last
// message, `@` completes the names of the conversation's members, typing is announced to others at
// most every few seconds. Drafts are kept per conversation while the app runs.
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../format.ts';
import type { Attachment } from './attachments.ts';
import { formatSize } from './MessageFiles.tsx';
import { useStore, useUi, type UserWithPresence } from '../state/store.ts';
import { Icon } from './Icon.tsx';
import { PresenceDot } from './PresenceDot.tsx';

/** The composer's element id: the skip link and finished edits bring focus back to it. */
export const COMPOSER_ID = 'composer-input';
export const focusComposer = (): void => document.getElementById(COMPOSER_ID)?.focus();
/** The reply box of the open thread. */
export const THREAD_COMPOSER_ID = 'thread-composer-input';

const TYPING_EVERY_MS = 3_000;
const MAX_SUGGESTIONS = 6;
const drafts = new Map<string, string>();

interface ComposerProps {
  channelId: string;
  placeholder: string;
  /**
   * Files uploading or uploaded for the next message (the channel's view or the thread panel keeps
   * them: they take drops too).
   */
  attachments: {
    list: readonly Attachment[];
    add(files: File[]): void;
    remove(key: number): void;
    clear(): void;
  };
  onEditLast(): void;
  onError(text: string): void;
  /** A thread's reply box: what it replies to, whether replies also go to the channel, its own label. */
  thread?: { parentId: string; alsoInChannel: boolean; inputId: string; label: string };
}

interface MentionQuery {
  start: number;
  end: number;
  query: string;
}

function findMention(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const match = /(^|\s)@([a-z0-9._-]{0,64})$/i.exec(before);
  if (!match) return null;
  return { start: caret - match[2]!.length - 1, end: caret, query: match[2]!.toLowerCase() };
}

export function Composer({
  channelId,
  placeholder,
  attachments,
  onEditLast,
  onError,
  thread,
}: ComposerProps) {
  const { t, i18n } = useTranslation();
  const fileInput = useRef<HTMLInputElement>(null);
  const uploading = attachments.list.some((a) => a.state === 'uploading' || a.state === 'sending');
  const ready = attachments.list.flatMap((a) => (a.file ? [a.file] : []));
  const store = useStore();
  const users = useUi((s) => s.users);
  const maxLength = useUi((s) => s.limits.maxMessageLength);
  const draftKey = thread ? `${channelId}/${thread.parentId}` : channelId;
  const inputId = thread?.inputId ?? COMPOSER_ID;
  const [text, setText] = useState(() => drafts.get(draftKey) ?? '');
  const [mention, setMention] = useState<MentionQuery | null>(null);
  const [members, setMembers] = useState<ReadonlySet<string> | null>(null);
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);
  const listId = useId();
  const hintId = useId();

  useEffect(() => {
    drafts.set(draftKey, text);
  }, [draftKey, text]);

  // Only members can be mentioned. The list is fetched when the conversation opens and again as each
  // mention starts, since people join and leave; until it arrives (or offline) everyone is offered.
  const mentioning = mention !== null;
  const membersAsked = useRef(false);
  useEffect(() => {
    if (!mentioning && membersAsked.current) return;
    membersAsked.current = true;
    store.client.request('channelMembers', { channelId }).then(
      ({ userIds }) => setMembers(new Set(userIds)),
      () => undefined, // Offline or refused: keep what we had.
    );
  }, [store, channelId, mentioning]);

  const suggestions = useMemo<UserWithPresence[]>(() => {
    if (!mention) return [];
    const q = mention.query;
    return [...users.values()]
      .filter((u) => !members || members.has(u.id))
      .filter((u) => u.username.startsWith(q) || u.displayName.toLowerCase().startsWith(q))
      .sort((a, b) => a.username.localeCompare(b.username))
      .slice(0, MAX_SUGGESTIONS);
  }, [mention, users, members]);
  const open = suggestions.length > 0;
  // The list can shrink under the highlight (people come and go): keep it on a real entry.
  const highlighted = Math.min(active, suggestions.length - 1);
  const tooLong = text.length - maxLength;

  const updateMention = (value: string, caret: number) => {
    setMention(findMention(value, caret));
    setActive(0);
  };

  const announceTyping = () => {
    const now = Date.now();
    if (now - lastTyping.current < TYPING_EVERY_MS) return;
    lastTyping.current = now;
    store.client.request('typing', { channelId }).catch(() => undefined);
  };

  const canSend = (text.trim() !== '' || ready.length > 0) && tooLong <= 0 && !uploading;
  const send = () => {
    const body = text.replace(/\s+$/, '');
    if (!canSend) return;
    const files = ready;
    setText('');
    setMention(null);
    attachments.clear();
    lastTyping.current = 0;
    const reply = thread && { parentId: thread.parentId, alsoInChannel: thread.alsoInChannel };
    const request = { channelId, text: body, ...(files.length > 0 ? { files } : {}), ...reply };
    store.client.request('send', request).catch((err: unknown) => {
      // Not queued at all (e.g. rejected as invalid): give the text back rather than lose it.
      setText((current) => current || body);
      onError(errorText(err, t));
    });
  };

  const complete = (user: UserWithPresence) => {
    if (!mention) return;
    const next = `${text.slice(0, mention.start)}@${user.username} ${text.slice(mention.end)}`;
    const caret = mention.start + user.username.length + 2;
    setText(next);
    setMention(null);
    requestAnimationFrame(() => inputRef.current?.setSelectionRange(caret, caret));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.nativeEvent.isComposing) return;
    if (open) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setActive((i) => (i + step + suggestions.length) % suggestions.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        complete(suggestions[highlighted]!);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setMention(null);
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      send();
    } else if (event.key === 'ArrowUp' && text === '') {
      event.preventDefault();
      onEditLast();
    }
  };

  return (
    <div className="composer">
      {open && (
        <ul id={listId} className="mention-list" role="listbox" aria-label={t('composer.people')}>
          {suggestions.map((user, i) => (
            <li
              key={user.id}
              id={`${listId}-${user.id}`}
              role="option"
              aria-selected={i === highlighted}
              className="mention-option"
              onMouseDown={(e) => {
                e.preventDefault();
                complete(user);
              }}
              onMouseEnter={() => setActive(i)}
            >
              <PresenceDot status={user.presence} />
              <span className="mention-name">{user.displayName}</span>
              <span className="mention-username">@{user.username}</span>
            </li>
          ))}
        </ul>
      )}
      {attachments.list.length > 0 && (
        <ul className="attachments" aria-label={t('files.label')}>
          {attachments.list.map((a) => (
            <li key={a.key} className={`attachment ${a.state}`} data-testid="attachment" data-state={a.state}>
              <span className="file-name">{a.name}</span>
              <span className="file-size">{formatSize(a.size, i18n.language)}</span>
              {a.state === 'uploading' && (
                <progress
                  max={Math.max(1, a.size)}
                  value={a.sent}
                  aria-label={t('files.uploading', {
                    name: a.name,
                    percent: Math.floor((100 * a.sent) / Math.max(1, a.size)),
                  })}
                />
              )}
              {a.state === 'sending' && (
                <span className="file-status">{t('files.sending', { name: a.name })}</span>
              )}
              {a.state === 'failed' && (
                <span className="form-error">{t('files.failed', { name: a.name, reason: a.error })}</span>
              )}
              <button
                type="button"
                className="icon-button"
                aria-label={t('files.cancel', { name: a.name })}
                onClick={() => attachments.remove(a.key)}
              >
                <Icon name="close" size={14} />
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className={`composer-box${tooLong > 0 ? ' invalid' : ''}`}>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => {
            attachments.add([...(e.target.files ?? [])]);
            e.target.value = '';
          }}
        />
        <button
          type="button"
          className="attach-button"
          aria-label={t('files.attach')}
          title={t('files.attach')}
          onClick={() => fileInput.current?.click()}
        >
          <Icon name="attach" />
        </button>
        <label htmlFor={inputId} className="sr-only">
          {thread?.label ?? t('composer.label')}
        </label>
        <textarea
          id={inputId}
          ref={inputRef}
          rows={1}
          autoFocus
          value={text}
          placeholder={placeholder}
          aria-describedby={hintId}
          aria-autocomplete="list"
          aria-controls={open ? listId : undefined}
          aria-activedescendant={open ? `${listId}-${suggestions[highlighted]!.id}` : undefined}
          aria-invalid={tooLong > 0 ? true : undefined}
          onChange={(e) => {
            setText(e.target.value);
            updateMention(e.target.value, e.target.selectionStart);
            if (e.target.value) announceTyping();
          }}
          onSelect={(e) => updateMention(e.currentTarget.value, e.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          onPaste={(e) => {
            const pasted = [...e.clipboardData.files];
            if (pasted.length === 0) return;
            e.preventDefault();
            attachments.add(pasted);
          }}
          onBlur={() => setMention(null)}
        />
        <button
          type="button"
          className="send-button"
          aria-label={t('composer.send')}
          title={t('composer.send')}
          onClick={send}
          disabled={!canSend}
        >
          <Icon name="send" />
        </button>
      </div>
      <p id={hintId} className="composer-hint">
        {tooLong > 0 ? (
          <span className="form-error">{t('composer.tooLong', { count: tooLong })}</span>
        ) : (
          t('composer.hint')
        )}
      </p>
    </div>
  );
}

// A message shown in context (a search result): the page of history around it, with the message
// highlighted and scrolled into view, until the reader goes back to the newest messages. The page
// is fetched once; edits and deletes the live view has since seen replace what it shows.
import { useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { displayKey as messageKey } from '@switchboard/client/browser';
import { isSameDay } from '../format.ts';
import type { RenderContext } from '../markdown/render.ts';
import type { DisplayMessage } from '../session/types.ts';
import { useUi, type UserWithPresence } from '../state/store.ts';
import { MessageItem } from './MessageItem.tsx';
import type { MessageHandlers } from './useMessageActions.tsx';

interface MessageContextProps {
  label: string;
  /** The channel: newer copies of the page's messages in its live log win. */
  channelId: string;
  page: readonly DisplayMessage[];
  focusSeq: number;
  selfId: string;
  users: ReadonlyMap<string, UserWithPresence>;
  editingKey: string | null;
  /** What a reader can do to a message, the same here as in the live list. */
  handlers: MessageHandlers;
  onBack(): void;
}

export function MessageContext(props: MessageContextProps) {
  const { t, i18n } = useTranslation();
  const target = useRef<HTMLDivElement>(null);
  const live = useUi((s) => s.views[props.channelId]?.messages);
  const messages = useMemo(() => {
    const newer = new Map((live ?? []).map((m) => [messageKey(m), m]));
    return props.page.map((m) => {
      const latest = newer.get(messageKey(m));
      return latest && latest.changeSeq > m.changeSeq ? latest : m;
    });
  }, [props.page, live]);
  const self = props.users.get(props.selfId)?.username ?? null;
  const renderContext = useMemo<RenderContext>(() => ({ self }), [self]);

  useEffect(() => {
    target.current?.scrollIntoView({ block: 'center' });
  }, [props.focusSeq, props.page]);

  return (
    <div className="log-wrap">
      <div className="context-banner" role="status">
        <span>{t('search.inContext')}</span>
        <button type="button" className="button small" onClick={props.onBack}>
          {t('search.backToNewest')}
        </button>
      </div>
      <div
        className="log context-log"
        role="log"
        aria-label={t('messages.logLabel', { channel: props.label })}
      >
        {messages.map((message, index) => {
          const prev = messages[index - 1];
          const focused = message.seq === props.focusSeq;
          return (
            <div
              key={messageKey(message)}
              ref={focused ? target : undefined}
              className={focused ? 'message-focus' : undefined}
              data-focused={focused || undefined}
            >
              <MessageItem
                message={message}
                authorName={props.users.get(message.authorId)?.displayName ?? t('messages.unknownAuthor')}
                own={message.authorId === props.selfId}
                startsGroup={!prev || prev.authorId !== message.authorId || focused}
                showDay={!prev || !isSameDay(prev.ts, message.ts)}
                showNew={false}
                editing={props.editingKey === messageKey(message)}
                renderContext={renderContext}
                t={t}
                language={i18n.language}
                selfId={props.selfId}
                {...props.handlers}
              />
            </div>
          );
        })}
      </div>
    </div>
  );
}

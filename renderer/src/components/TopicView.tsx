// A followed topic: its messages as scripts published them (title, text — markdown when the
// publisher said so —, time, priority, tags, the click link), the newest at the bottom, older pages
// loaded on request (a button, or scrolling to the top). Its own simple list: the core keeps
// TOPIC_KEEP messages and older pages come only when asked, so nothing here needs virtualizing.
// Shown on screen, it is marked read up to its newest message. Its header mutes and unmutes it.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TopicMessage } from '@switchboard/protocol';
import { TopicClick } from '@switchboard/protocol';
import { emojifyShortcodes } from '@switchboard/protocol/emoji';
import { errorText, formatDateTime } from '../format.ts';
import { renderMarkdown, type MessageRenderContext } from '../markdown/render.ts';
import { useStore, useUi } from '../state/store.ts';
import { HeaderAction, Icon } from './Icon.tsx';
import { MenuButton, type Drawer } from './MenuButton.tsx';

/** How close to the bottom (px) still counts as reading the newest: new messages keep it in view. */
const AT_BOTTOM = 48;
/** How close to the top (px) asks for the older page. */
const AT_TOP = 48;
/** Mentions are a chat thing: a topic message highlights none. */
const NO_MENTIONS: MessageRenderContext = { mentioned: new Set(), self: null };

/** Messages by seq, each once. */
function merged(a: readonly TopicMessage[], b: readonly TopicMessage[]): TopicMessage[] {
  const bySeq = new Map([...a, ...b].map((m) => [m.seq, m]));
  return [...bySeq.values()].sort((x, y) => x.seq - y.seq);
}

interface TopicViewProps {
  topic: string;
  drawer: Drawer;
  onError(text: string): void;
  onUnfollowed(): void;
}

export function TopicView({ topic, drawer, onError, onUnfollowed }: TopicViewProps) {
  const { t } = useTranslation();
  const store = useStore();
  const summary = useUi((s) => s.topics.find((x) => x.topic === topic));
  // Where scripts publish: the server's address (the desktop app's own page is not on the server).
  const serverUrl = useUi((s) => s.serverUrl) ?? location.origin;
  const [messages, setMessages] = useState<TopicMessage[]>([]);
  const [gap, setGap] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  /** A page is on its way (scroll events come faster than renders). */
  const olderRequested = useRef(false);
  /** The server said nothing is older than the oldest shown. */
  const [oldestReached, setOldestReached] = useState(false);
  const list = useRef<HTMLOListElement | null>(null);
  const pinned = useRef(true);
  /** The list's height and scroll position before an older page was put on top of it. */
  const beforePrepend = useRef<{ height: number; top: number } | null>(null);

  useEffect(() => {
    let open = true;
    const off = store.client.on('topicMessages', (change) => {
      if (change.topic !== topic) return;
      setMessages((shown) => merged(shown, change.messages));
      if (change.gap) setGap(true);
    });
    store.client.request('openTopic', { topic }).then(
      (kept) => {
        if (!open) return;
        setMessages((shown) => merged(kept.messages, shown));
        setGap(kept.gap);
        setProblem(null);
      },
      (err: unknown) => open && setProblem(errorText(err, t)),
    );
    return () => {
      open = false;
      off();
    };
    // Opened again when it is followed (from another device, or again here).
  }, [store, topic, t, summary !== undefined]);

  // Seqs are dense in a topic: older messages exist while the oldest shown is past what retention removed.
  const oldest = messages[0]?.seq ?? 0;
  const hasOlder = !oldestReached && summary?.readable === true && oldest > (summary?.prunedSeq ?? 0) + 1;
  const loadOlder = () => {
    if (olderRequested.current || !hasOlder) return;
    olderRequested.current = true;
    setLoadingOlder(true);
    store.client.request('loadOlderTopicMessages', { topic, before: oldest }).then(
      (page) => {
        const element = list.current;
        if (element) beforePrepend.current = { height: element.scrollHeight, top: element.scrollTop };
        setMessages((shown) => merged(page.messages, shown));
        if (!page.hasOlder) setOldestReached(true);
        olderRequested.current = false;
        setLoadingOlder(false);
      },
      (err: unknown) => {
        olderRequested.current = false;
        setLoadingOlder(false);
        onError(errorText(err, t));
      },
    );
  };
  // An older page on top keeps what the reader was looking at where it was.
  useLayoutEffect(() => {
    const element = list.current;
    const before = beforePrepend.current;
    beforePrepend.current = null;
    if (element && before) element.scrollTop = before.top + element.scrollHeight - before.height;
  }, [oldest]);

  // The newest stays in view while the reader is at the bottom.
  const newest = messages.at(-1)?.seq ?? 0;
  useEffect(() => {
    const element = list.current;
    if (element && pinned.current) element.scrollTop = element.scrollHeight;
  }, [newest]);

  // On screen: read up to the newest message.
  const readSeq = summary?.readSeq ?? 0;
  useEffect(() => {
    const markRead = () => {
      if (document.visibilityState !== 'visible' || newest <= readSeq) return;
      store.client.request('markTopicRead', { topic, seq: newest }).catch(() => {
        // Not followed any more, or offline: the next look marks it.
      });
    };
    markRead();
    document.addEventListener('visibilitychange', markRead);
    return () => document.removeEventListener('visibilitychange', markRead);
  }, [store, topic, newest, readSeq]);

  const unfollow = () =>
    store.client
      .request('unfollowTopic', { topic })
      .then(onUnfollowed, (err: unknown) => onError(errorText(err, t)));
  const muted = summary?.muted === true;
  const setMuted = (next: boolean) =>
    store.client
      .request('muteTopic', { topic, muted: next })
      .catch((err: unknown) => onError(errorText(err, t)));

  return (
    <>
      <header className="channel-header">
        <MenuButton drawer={drawer} />
        <h1 id="channel-title">
          <Icon name="bell" size={18} />
          <span>{topic}</span>
        </h1>
        {summary && (
          // On narrow screens the labels leave the screen but stay the names (.button-label).
          <div className="channel-actions">
            {muted && (
              <span className="topic-muted" title={t('topics.mutedHint')}>
                <Icon name="bellOff" size={16} />
                <span className="button-label">{t('topics.muted')}</span>
              </span>
            )}
            <HeaderAction
              icon={muted ? 'bell' : 'bellOff'}
              label={muted ? t('topics.unmute') : t('topics.mute')}
              onClick={() => void setMuted(!muted)}
            />
            <HeaderAction icon="leave" label={t('topics.unfollow')} onClick={() => void unfollow()} />
          </div>
        )}
      </header>
      {problem && (
        <p className="inline-error" role="alert">
          {problem}
        </p>
      )}
      {summary && !summary.readable && (
        <p className="inline-error" role="status">
          {t('topics.noAccess')}
        </p>
      )}
      {gap && <p className="topic-gap">{t('topics.gap')}</p>}
      {messages.length === 0 && !problem ? (
        <div className="empty-state">
          <p>{t('topics.empty', { topic, url: `${serverUrl.replace(/\/+$/, '')}/${topic}` })}</p>
        </div>
      ) : (
        <ol
          ref={list}
          className="topic-messages"
          aria-label={t('topics.messages', { topic })}
          onScroll={(event) => {
            const element = event.currentTarget;
            pinned.current = element.scrollHeight - element.scrollTop - element.clientHeight < AT_BOTTOM;
            if (element.scrollTop < AT_TOP) loadOlder();
          }}
        >
          {hasOlder && (
            <li className="topic-older">
              <button type="button" className="link-button" disabled={loadingOlder} onClick={loadOlder}>
                {loadingOlder ? t('messages.loadingOlder') : t('topics.older')}
              </button>
            </li>
          )}
          {messages.map((message) => (
            <TopicMessageItem key={message.seq} message={message} />
          ))}
        </ol>
      )}
    </>
  );
}

function TopicMessageItem({ message }: { message: TopicMessage }) {
  const { t, i18n } = useTranslation();
  const priority = message.priority ?? 3;
  const html = useMemo(
    () => (message.markdown ? renderMarkdown(message.message, NO_MENTIONS) : null),
    [message.markdown, message.message],
  );
  // ntfy's tags that name an emoji show as the emoji, the rest as words.
  const tags = message.tags.map((tag) => {
    const emoji = emojifyShortcodes(`:${tag}:`);
    return emoji === `:${tag}:` ? { tag, emoji: null } : { tag, emoji };
  });
  return (
    <li className={`topic-message priority-${priority}`} data-seq={message.seq}>
      <div className="topic-message-head">
        {priority !== 3 && (
          <span className="topic-priority" title={t('topics.priority', { priority })}>
            <span aria-hidden="true">{priority >= 5 ? '‼' : priority === 4 ? '!' : '↓'}</span>
            <span className="sr-only">
              {priority >= 4 ? t('topics.urgent') : t('topics.priority', { priority })}
            </span>
          </span>
        )}
        {tags
          .filter((x) => x.emoji)
          .map((x) => (
            <span key={x.tag} aria-hidden="true">
              {x.emoji}
            </span>
          ))}
        {message.title && <strong className="topic-message-title">{message.title}</strong>}
        <time dateTime={new Date(message.createdAt).toISOString()}>
          {formatDateTime(message.createdAt, i18n.language)}
        </time>
      </div>
      {html === null ? (
        <p className="message-text topic-message-text">{message.message}</p>
      ) : (
        // Safe: renderMarkdown escapes everything and allows only http(s) and mailto links.
        <div className="message-text topic-message-text" dangerouslySetInnerHTML={{ __html: html }} />
      )}
      {tags.some((x) => !x.emoji) && (
        <ul className="topic-tags">
          {tags
            .filter((x) => !x.emoji)
            .map((x) => (
              <li key={x.tag}>{x.tag}</li>
            ))}
        </ul>
      )}
      {message.click && TopicClick.safeParse(message.click).success && (
        <a className="topic-click" href={message.click} target="_blank" rel="noopener noreferrer">
          {t('topics.open')}: {message.click}
        </a>
      )}
    </li>
  );
}

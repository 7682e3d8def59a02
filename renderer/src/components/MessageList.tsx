// The conversation log: virtualized, so huge histories stay smooth. Loads older pages when the top
// is reached while keeping the reader's place (firstItemIndex shifts by what was prepended), follows
// new messages only when already at the bottom, opens at the first unread message, and reports how
// far the reader has seen so the read cursor can move.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Virtuoso, type Components, type ListRange, type VirtuosoHandle } from 'react-virtuoso';
import type { ChannelSummary } from '@switchboard/protocol';
import { isSameDay } from '../format.ts';
import type { RenderContext } from '../markdown/render.ts';
import type { DisplayMessage } from '../session/types.ts';
import { displayKey as messageKey } from '@switchboard/client/browser';
import type { ChannelMessages, UserWithPresence } from '../state/store.ts';
import { Icon } from './Icon.tsx';
import { MessageItem } from './MessageItem.tsx';
import type { MessageExtras } from './useMessageActions.tsx';
import { useNewestFirstPaint } from './useNewestFirstPaint.ts';

/** Virtuoso needs a positive index to count down from as older pages are prepended. */
const START_INDEX = 1_000_000_000;
/** Consecutive messages by one author within this gap share one author line. */
const GROUP_GAP_MS = 5 * 60_000;
/** Bound on pages fetched while looking for the first unread message. */
const MAX_UNREAD_PAGES = 20;

/**
 * Where each channel was left, so coming back keeps the reader's place: the key of the top row. A key
 * survives the list being rebuilt with other pages loaded, where a saved scroll offset would not.
 */
const places = new Map<string, { topKey: string | null; atBottom: boolean }>();

export interface MessageListProps {
  channel: ChannelSummary;
  label: string;
  /** Shown above the first message of the conversation. */
  startText: string;
  view: ChannelMessages;
  selfId: string;
  users: ReadonlyMap<string, UserWithPresence>;
  /** The channel as it was when opened: messages after its read cursor (up to its head) are new. */
  opened: { readSeq: number; headSeq: number; unreadCount: number };
  /** A message to bring into view once it is loaded (a notification was clicked); a new nonce jumps again. */
  openAt?: { messageId: string; nonce: number } | null;
  editingKey: string | null;
  onSeen(seq: number): void;
  /** Loads the previous page; resolves with the oldest seq loaded, or null when there was nothing. */
  onLoadOlder(): Promise<number | null>;
  onEdit(message: DisplayMessage | null): void;
  onSaveEdit(message: DisplayMessage, text: string): Promise<void>;
  onDelete(message: DisplayMessage): void;
  onRetry(message: DisplayMessage): void;
  onDiscard(message: DisplayMessage): void;
  /** Reactions, threads and whether the channel is read-only. */
  extras: MessageExtras;
}

type ListStart = { initialTopMostItemIndex: { index: number; align: 'start' | 'center' | 'end' } };

interface ListContext {
  label: string;
  hasOlder: boolean;
  loadingOlder: boolean;
}

const components: Components<DisplayMessage, ListContext> = {
  Header: ({ context }) =>
    context.loadingOlder ? (
      <p className="log-edge">{context.label}</p>
    ) : context.hasOlder ? (
      <div className="log-edge-spacer" />
    ) : (
      <p className="log-edge log-start">{context.label}</p>
    ),
};

export function MessageList(props: MessageListProps) {
  const { channel, view, selfId, users, opened } = props;
  const { t } = useTranslation();
  const messages = view.messages;
  const listRef = useRef<VirtuosoHandle>(null);
  const [atBottom, setAtBottom] = useState(true);
  const atBottomRef = useRef(true);
  const visibleEnd = useRef(-1);
  const onSeenRef = useRef(props.onSeen);
  onSeenRef.current = props.onSeen;

  // Shift firstItemIndex by however many messages were put before the previous first one.
  const firstKey = messages[0] ? messageKey(messages[0]) : null;
  const [anchor, setAnchor] = useState({ key: firstKey, index: START_INDEX });
  if (anchor.key !== firstKey) {
    const moved = messages.findIndex((m) => messageKey(m) === anchor.key);
    setAnchor({ key: firstKey, index: moved > 0 ? anchor.index - moved : anchor.index });
  }
  const firstItemIndex = anchor.key === firstKey ? anchor.index : START_INDEX;

  // The "new messages" line sits before the first message from someone else that was unread when
  // the channel was opened — once it is loaded: with older pages still to load it may be further up.
  const firstUnreadKey = useMemo(() => {
    const index = messages.findIndex(
      (m) =>
        m.delivery === 'sent' && m.seq > opened.readSeq && m.seq <= opened.headSeq && m.authorId !== selfId,
    );
    if (index < 0 || (index === 0 && view.hasOlder && messages[0]!.seq > opened.readSeq + 1)) return null;
    return messageKey(messages[index]!);
  }, [messages, opened, selfId, view.hasOlder]);

  // Where the list starts; a jump replaces it and remounts the list there, which is exact where
  // scrolling a list that is still settling after a prepend is not.
  const [start, setStart] = useState<ListStart>(() => {
    const saved = places.get(channel.id);
    if (firstUnreadKey) {
      const index = messages.findIndex((m) => messageKey(m) === firstUnreadKey);
      return { initialTopMostItemIndex: { index: Math.max(0, index - 1), align: 'start' } };
    }
    const savedIndex =
      saved && !saved.atBottom ? messages.findIndex((m) => messageKey(m) === saved.topKey) : -1;
    if (savedIndex >= 0) return { initialTopMostItemIndex: { index: savedIndex, align: 'start' } };
    return { initialTopMostItemIndex: { index: Math.max(0, messages.length - 1), align: 'end' } };
  });
  const [generation, setGeneration] = useState(0);
  const scroller = useRef<HTMLElement | null>(null);
  // Older pages asked for while the list was still positioning, loaded once it is done if the reader
  // is still at the top.
  const olderWanted = useRef(false);
  const atStart = useRef(false);
  const opensAtNewest = start.initialTopMostItemIndex.align === 'end' && messages.length > 0;
  const firstPaint = useNewestFirstPaint(opensAtNewest, scroller, () => {
    if (olderWanted.current && atStart.current) loadOlder();
    olderWanted.current = false;
  });

  const topKey = useRef<string | null>(null);
  useLayoutEffect(
    () => () => {
      places.set(channel.id, { topKey: topKey.current, atBottom: atBottomRef.current });
    },
    [channel.id],
  );

  const usernames = useMemo(() => new Set([...users.values()].map((u) => u.username)), [users]);
  const renderContext = useMemo<RenderContext>(
    () => ({ usernames, self: users.get(selfId)?.username ?? null }),
    [usernames, users, selfId],
  );

  // What the reader has seen: everything up to the last visible row, and all of it at the bottom.
  const reportSeen = useCallback(() => {
    if (document.visibilityState !== 'visible' || messages.length === 0) return;
    const end = atBottomRef.current ? messages.length - 1 : visibleEnd.current - firstItemIndex;
    let seen = 0;
    for (let i = Math.min(end, messages.length - 1); i >= 0; i--) {
      const m = messages[i]!;
      if (m.delivery !== 'sent') continue;
      seen = Math.max(seen, atBottomRef.current ? Math.max(m.changeSeq, channel.headSeq) : m.seq);
      if (!atBottomRef.current) break;
    }
    if (seen > 0) onSeenRef.current(seen);
  }, [messages, firstItemIndex, channel.headSeq]);

  useEffect(() => {
    reportSeen();
    document.addEventListener('visibilitychange', reportSeen);
    return () => document.removeEventListener('visibilitychange', reportSeen);
  }, [reportSeen]);

  const onRange = (range: ListRange) => {
    visibleEnd.current = range.endIndex;
    const top = messages[range.startIndex - firstItemIndex];
    topKey.current = top ? messageKey(top) : null;
    atStart.current = range.startIndex === firstItemIndex;
    firstPaint.onRange({
      startsWithOldest: atStart.current,
      endsWithNewest: range.endIndex === firstItemIndex + messages.length - 1,
    });
    reportSeen();
  };
  const onAtBottom = (bottom: boolean) => {
    atBottomRef.current = bottom;
    setAtBottom(bottom);
    if (bottom) reportSeen();
  };

  // Our own new message always comes into view, wherever the reader was.
  const lastOwnPending = useRef<string | null>(null);
  useEffect(() => {
    const last = messages[messages.length - 1];
    if (!last || last.authorId !== selfId || last.delivery !== 'pending') return;
    const key = messageKey(last);
    if (lastOwnPending.current === key) return;
    lastOwnPending.current = key;
    listRef.current?.scrollToIndex({ index: 'LAST', align: 'end' });
  }, [messages, selfId]);

  const loadOlder = () => {
    if (view.hasOlder && !view.loadingOlder) void props.onLoadOlder();
  };
  const startReached = () => {
    if (firstPaint.isSettled()) loadOlder();
    else olderWanted.current = true;
  };

  // When the first unread message is older than the loaded pages, fetch pages until it is there,
  // then bring it into view once it has rendered.
  const [jumping, setJumping] = useState(false);
  const unreadOutOfView = !firstUnreadKey && opened.unreadCount > 0 && view.hasOlder && !jumping;
  const jumpToFirstUnread = async () => {
    setJumping(true);
    for (let page = 0; page < MAX_UNREAD_PAGES; page++) {
      const oldest = await props.onLoadOlder();
      if (oldest === null || oldest <= opened.readSeq + 1) break;
    }
  };
  useEffect(() => {
    if (!jumping || !firstUnreadKey) return;
    const index = messages.findIndex((m) => messageKey(m) === firstUnreadKey);
    setStart({ initialTopMostItemIndex: { index: Math.max(0, index - 1), align: 'start' } });
    setGeneration((g) => g + 1);
    setJumping(false);
  }, [jumping, firstUnreadKey, messages]);

  // A notification's message: the list starts over with it in the middle, once it is loaded.
  const jumpedTo = useRef(0);
  const openAt = props.openAt;
  useEffect(() => {
    if (!openAt || jumpedTo.current === openAt.nonce) return;
    const index = messages.findIndex((m) => m.delivery === 'sent' && m.id === openAt.messageId);
    if (index < 0) return;
    jumpedTo.current = openAt.nonce;
    setStart({ initialTopMostItemIndex: { index, align: 'center' } });
    setGeneration((g) => g + 1);
  }, [openAt, messages]);

  const context: ListContext = {
    label: view.loadingOlder ? t('messages.loadingOlder') : props.startText,
    hasOlder: view.hasOlder,
    loadingOlder: view.loadingOlder,
  };

  const itemContent = (index: number, message: DisplayMessage) => {
    const prev = messages[index - firstItemIndex - 1];
    const key = messageKey(message);
    const newDay = !prev || !isSameDay(prev.ts, message.ts);
    const showNew = key === firstUnreadKey;
    const startsGroup =
      newDay ||
      showNew ||
      !prev ||
      prev.authorId !== message.authorId ||
      prev.deletedAt !== null ||
      message.ts - prev.ts > GROUP_GAP_MS;
    return (
      <MessageItem
        message={message}
        authorName={users.get(message.authorId)?.displayName ?? t('messages.unknownAuthor')}
        own={message.authorId === selfId}
        startsGroup={startsGroup}
        showDay={newDay}
        showNew={showNew}
        editing={props.editingKey === key}
        renderContext={renderContext}
        onEdit={props.onEdit}
        onSaveEdit={props.onSaveEdit}
        onDelete={props.onDelete}
        onRetry={props.onRetry}
        onDiscard={props.onDiscard}
        selfId={selfId}
        extras={props.extras}
      />
    );
  };

  return (
    <div className="log-wrap">
      {unreadOutOfView && (
        <button type="button" className="jump-pill jump-top" onClick={() => void jumpToFirstUnread()}>
          {t('messages.jumpToUnread', { count: opened.unreadCount })}
        </button>
      )}
      <Virtuoso<DisplayMessage, ListContext>
        key={generation}
        ref={listRef}
        scrollerRef={(el) => (scroller.current = el instanceof HTMLElement ? el : null)}
        className={firstPaint.className ? `log ${firstPaint.className}` : 'log'}
        role="log"
        aria-busy={firstPaint.busy}
        aria-label={t('messages.logLabel', { channel: props.label })}
        data={messages}
        context={context}
        components={components}
        firstItemIndex={firstItemIndex}
        computeItemKey={(_index, message) => messageKey(message)}
        itemContent={itemContent}
        followOutput={(bottom) => (bottom ? 'auto' : false)}
        atBottomStateChange={onAtBottom}
        atBottomThreshold={48}
        rangeChanged={onRange}
        startReached={startReached}
        {...start}
      />
      {!atBottom && messages.length > 0 && (
        <button
          type="button"
          className="jump-pill jump-bottom"
          onClick={() => listRef.current?.scrollToIndex({ index: 'LAST', align: 'end', behavior: 'smooth' })}
        >
          <Icon name="arrowDown" size={16} />
          {t('messages.jumpToLatest')}
        </button>
      )}
    </div>
  );
}

// The conversation log: virtualized, so huge histories stay smooth. Loads older pages when the top
// is reached while keeping the reader's place (firstItemIndex shifts by what was prepended), stays at
// the bottom while the reader is there — new messages, and rows that change size (useBottomPin.ts) —,
// opens at the first unread message, and reports how far the reader has really seen (onScreen.ts) so
// the read cursor moves only over what was on screen.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Virtuoso, type Components, type ListRange, type VirtuosoHandle } from 'react-virtuoso';
import type { ChannelSummary } from '@switchboard/protocol';
import { isSameDay } from '../format.ts';
import type { RenderContext } from '../markdown/render.ts';
import type { DisplayMessage } from '../session/types.ts';
import { displayKey as messageKey } from '@switchboard/client/browser';
import { useStore, useUi, type ChannelMessages, type UserWithPresence } from '../state/store.ts';
import { Icon } from './Icon.tsx';
import { MessageItem } from './MessageItem.tsx';
import { afterNextFrame, onScreen } from './onScreen.ts';
import { PIN_THRESHOLD_PX, useBottomPin } from './useBottomPin.ts';
import type { MessageExtras } from './useMessageActions.tsx';
import { useNewestFirstPaint } from './useNewestFirstPaint.ts';

/** Virtuoso needs a positive index to count down from as older pages are prepended. */
const START_INDEX = 1_000_000_000;
/** Consecutive messages by one author within this gap share one author line. */
const GROUP_GAP_MS = 5 * 60_000;
/** Bound on pages fetched while looking for the first unread message. */
const MAX_UNREAD_PAGES = 20;

/** A channel not loaded yet (the view shows the list only once it is). */
const NOT_LOADED: ChannelMessages = { messages: [], hasOlder: false, loadingOlder: false };

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
  startText: string;
  loadingText: string;
  hasOlder: boolean;
  loadingOlder: boolean;
}

const components: Components<DisplayMessage, ListContext> = {
  // One height whether older messages are loading or not: a header that grew as a page started
  // loading would push the reader's rows down under them.
  Header: ({ context }) =>
    context.hasOlder ? (
      <p className="log-edge" aria-hidden={!context.loadingOlder}>
        <span className={context.loadingOlder ? undefined : 'log-edge-idle'}>{context.loadingText}</span>
      </p>
    ) : (
      <p className="log-edge log-start">{context.startText}</p>
    ),
};

export function MessageList(props: MessageListProps) {
  const { channel, selfId, users, opened } = props;
  const { t, i18n } = useTranslation();
  // The log takes its messages from the store itself, so the channel's view around it does not
  // render again for every message that arrives.
  const view = useUi((s) => s.views[channel.id]) ?? NOT_LOADED;
  const messages = view.messages;
  const listRef = useRef<VirtuosoHandle>(null);
  const onSeenRef = useRef(props.onSeen);
  onSeenRef.current = props.onSeen;

  // Shift firstItemIndex by however many messages were put before the previous first one, or taken
  // from the top (the core lets the oldest go while the reader follows the newest: store.follow).
  const firstKey = messages[0] ? messageKey(messages[0]) : null;
  const [anchor, setAnchor] = useState({ key: firstKey, index: START_INDEX, trimmed: false });
  const previous = useRef(messages);
  if (anchor.key !== firstKey) {
    const moved = messages.findIndex((m) => messageKey(m) === anchor.key);
    const dropped =
      moved < 0 && firstKey ? previous.current.findIndex((m) => messageKey(m) === firstKey) : -1;
    const index = moved > 0 ? anchor.index - moved : dropped > 0 ? anchor.index + dropped : anchor.index;
    setAnchor({ key: firstKey, index, trimmed: anchor.trimmed || dropped > 0 });
  }
  previous.current = messages;
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
  // One function for the list's life: react-virtuoso hands the scroller over again whenever this
  // changes, re-reading its size (a forced layout) and re-running its scroll state — on every render.
  const scrollerRef = useCallback(
    (el: HTMLElement | Window | null) => (scroller.current = el instanceof HTMLElement ? el : null),
    [],
  );
  // Older pages asked for while the list was still positioning, loaded once it is done if the reader
  // is still at the top.
  const olderWanted = useRef(false);
  const atStart = useRef(false);
  const opensAtNewest = start.initialTopMostItemIndex.align === 'end' && messages.length > 0;
  const firstPaint = useNewestFirstPaint(opensAtNewest, scroller, () => {
    if (olderWanted.current && atStart.current) loadOlder();
    olderWanted.current = false;
  });

  // What has been on screen: the newest sent message whose end the reader saw; at the very bottom,
  // everything (edits and deletes take seqs past the last message).
  const seen = useRef({ messages, headSeq: 0, newestIndex: 0 });
  seen.current = { messages, headSeq: channel.headSeq, newestIndex: firstItemIndex + messages.length - 1 };
  const reportSeen = useCallback(() => {
    const el = scroller.current;
    if (!el || document.visibilityState !== 'visible') return;
    const shown = onScreen(el, seen.current.newestIndex);
    const newest = [...seen.current.messages].reverse().find((m) => m.delivery === 'sent');
    const through =
      shown.newestShown && newest && shown.seenThrough >= newest.seq
        ? Math.max(shown.seenThrough, newest.changeSeq, seen.current.headSeq)
        : shown.seenThrough;
    if (through > 0) onSeenRef.current(through);
  }, []);
  // Looked at once a frame at most, after it is drawn: new rows and every scroll ask for a look.
  const seenCheck = useMemo(() => afterNextFrame(reportSeen), [reportSeen]);
  useEffect(() => seenCheck.cancel, [seenCheck]);

  const pin = useBottomPin({
    scroller,
    mount: generation,
    startsPinned: start.initialTopMostItemIndex.align === 'end',
    active: firstPaint.isSettled,
    newestShown: () => !!scroller.current && onScreen(scroller.current, seen.current.newestIndex).newestShown,
    onChange: seenCheck.request,
  });
  const { isPinned, follow } = pin;
  /**
   * To the newest message, following from now on: the list may land short of an end that moved while
   * it scrolled (rows measured, more arriving), and a pinned list goes on to its end. Not smooth: a
   * smooth scroll aims at where the end was when it started.
   */
  const toNewest = useCallback(() => {
    follow();
    listRef.current?.scrollToIndex({ index: 'LAST', align: 'end' });
  }, [follow]);

  const topKey = useRef<string | null>(null);
  useLayoutEffect(
    () => () => {
      places.set(channel.id, { topKey: topKey.current, atBottom: isPinned() });
    },
    [channel.id, isPinned],
  );

  // Only the reader's own name: rows are not drawn again when someone's presence changes.
  const self = users.get(selfId)?.username ?? null;
  const renderContext = useMemo<RenderContext>(() => ({ self }), [self]);

  // Rows drawn since the last look may be on screen now (after they are laid out).
  useEffect(() => seenCheck.request(), [messages, seenCheck]);
  useEffect(() => {
    document.addEventListener('visibilitychange', reportSeen);
    return () => document.removeEventListener('visibilitychange', reportSeen);
  }, [reportSeen]);

  const onRange = (range: ListRange) => {
    const top = messages[range.startIndex - firstItemIndex];
    topKey.current = top ? messageKey(top) : null;
    atStart.current = range.startIndex === firstItemIndex;
    firstPaint.onRange({
      startsWithOldest: atStart.current,
      endsWithNewest: range.endIndex === firstItemIndex + messages.length - 1,
    });
  };

  // Our own new message always comes into view, wherever the reader was.
  const lastOwnPending = useRef<string | null>(null);
  useEffect(() => {
    const last = messages[messages.length - 1];
    if (!last || last.authorId !== selfId || last.delivery !== 'pending') return;
    const key = messageKey(last);
    if (lastOwnPending.current === key) return;
    lastOwnPending.current = key;
    toNewest();
  }, [messages, selfId, toNewest]);

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
  // Not once the oldest were let go: that happens only while the reader follows the newest, past them.
  const unreadOutOfView =
    !firstUnreadKey && opened.unreadCount > 0 && view.hasOlder && !jumping && !anchor.trimmed;
  const jumpToFirstUnread = async () => {
    setJumping(true);
    for (let page = 0; page < MAX_UNREAD_PAGES; page++) {
      const oldest = await props.onLoadOlder();
      if (oldest === null || oldest <= opened.readSeq + 1) break;
    }
  };
  // The core keeps the channel whole while the reader is away from its newest messages (store.follow).
  const store = useStore();
  const following = pin.atBottom && !jumping;
  useEffect(() => store.follow(channel.id, following), [store, channel.id, following]);
  useEffect(() => () => store.follow(channel.id, true), [store, channel.id]);
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
    startText: props.startText,
    loadingText: t('messages.loadingOlder'),
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
      prev.kind !== 'text' ||
      message.ts - prev.ts > GROUP_GAP_MS;
    const authorName = users.get(message.authorId)?.displayName ?? t('messages.unknownAuthor');
    return (
      <MessageItem
        message={message}
        authorName={authorName}
        own={message.authorId === selfId}
        startsGroup={startsGroup}
        showDay={newDay}
        showNew={showNew}
        editing={props.editingKey === key}
        renderContext={renderContext}
        t={t}
        language={i18n.language}
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
        scrollerRef={scrollerRef}
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
        followOutput={() => (isPinned() ? 'auto' : false)}
        atBottomThreshold={PIN_THRESHOLD_PX}
        rangeChanged={onRange}
        startReached={startReached}
        {...start}
      />
      {!pin.atBottom && messages.length > 0 && (
        <button type="button" className="jump-pill jump-bottom" onClick={toNewest}>
          <Icon name="arrowDown" size={16} />
          {t('messages.jumpToLatest')}
        </button>
      )}
    </div>
  );
}

// Keeps a list pinned to its bottom while the reader is there. A list only follows what is appended
// (react-virtuoso's followOutput); when the last rows change size instead — an edit adds a line, a
// delete shrinks one, a wider window rewraps every row, a picture of text loads — the bottom drifts
// out of view and nothing brings it back. Here "at the bottom" is the reader's own position, and
// every change of size of the rows or of the view brings a pinned list back to its end.
//
// Reaching the end, by any means, pins. Leaving it is the reader's doing, and a scroll event alone
// cannot tell that while rows are pouring in: it is dispatched a frame or more after the scroll and
// reads the list as it is then, after more rows were appended (the view, which followed, looks short
// of the new end), and the view also moves up by itself when rows shrink as they are measured. So
// the reader leaves the bottom by their input — the wheel or a key moving up, a touch dragging the
// rows down, the scrollbar dragged — at once, before the list can follow again; and by any other
// move up (find in page, a script) only while the list's height holds still between two looks.
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

/** Within this distance of the end, the reader is at the bottom (the list's own threshold). */
export const PIN_THRESHOLD_PX = 48;
const ROWS = '[data-testid="virtuoso-item-list"]';
/** How far a line of the wheel or an arrow key scrolls (Chromium's step). */
const LINE_PX = 40;

export interface BottomPin {
  /** Whether the reader is at the bottom (for "Jump to latest"), as state. */
  atBottom: boolean;
  /** The same, read at the time of the call. */
  isPinned(): boolean;
  /** The reader asked for the newest message (the list is being scrolled there): pinned from now. */
  follow(): void;
}

export interface BottomPinOptions {
  /** The list's scrolling element, which changes when the list is mounted again (`mount` counts those). */
  scroller: RefObject<HTMLElement | null>;
  mount: number;
  /** The list opens at its end. */
  startsPinned: boolean;
  /** Whether the list may be moved now (not while it positions itself). */
  active(): boolean;
  /** Whether the newest row is wholly on screen now. */
  newestShown(): boolean;
  /** Hears every scroll and change of size, as it happens: what reads the layout waits for the frame. */
  onChange(): void;
}

export function useBottomPin(options: BottomPinOptions): BottomPin {
  const { scroller, mount, startsPinned } = options;
  const pinned = useRef(startsPinned);
  const [atBottom, setAtBottom] = useState(startsPinned);
  const latest = useRef(options);
  latest.current = options;

  const update = useCallback((value: boolean) => {
    pinned.current = value;
    setAtBottom(value);
  }, []);

  // A list mounted again (a jump to the first unread) starts where it is told to, from the render
  // that mounts it: whoever reads `atBottom` there must not see where the list was before.
  const [mounted, setMounted] = useState(mount);
  if (mounted !== mount) {
    setMounted(mount);
    pinned.current = startsPinned;
    setAtBottom(startsPinned);
  }

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    let frame = 0;
    // What the last look (a scroll or a change of size) saw, to tell the reader's moves from the list's.
    let lastTop = el.scrollTop;
    let lastHeight = el.scrollHeight;
    let dragging = false;
    const fromEnd = () => el.scrollHeight - el.scrollTop - el.clientHeight;
    // While the list positions itself (its rows hidden, or still settling) its sizes are not the
    // reader's: a list not filled yet would look like one at its bottom.
    const settled = () =>
      el.querySelector<HTMLElement>(ROWS)?.style.visibility !== 'hidden' && latest.current.active();
    const toEnd = () => {
      const end = el.scrollHeight - el.clientHeight;
      if (el.scrollTop < end) el.scrollTop = end;
    };
    const onScroll = () => {
      const top = el.scrollTop;
      if (fromEnd() <= PIN_THRESHOLD_PX) update(true);
      else if (top < lastTop && (dragging || el.scrollHeight === lastHeight)) update(false);
      // Moved or outgrown by the list itself, not by the reader: back to the end.
      else if (pinned.current && settled()) toEnd();
      lastTop = top;
      lastHeight = el.scrollHeight;
      latest.current.onChange();
    };
    /** The reader is moving the view up by `up` px: off the bottom if that takes it past the threshold. */
    const readerMovesUp = (up: number) => {
      if (up > 0 && pinned.current && fromEnd() + Math.min(up, el.scrollTop) > PIN_THRESHOLD_PX)
        update(false);
    };
    const onWheel = (event: WheelEvent) => {
      if (event.ctrlKey) return; // zooming
      const unit =
        event.deltaMode === WheelEvent.DOM_DELTA_LINE
          ? LINE_PX
          : event.deltaMode === WheelEvent.DOM_DELTA_PAGE
            ? el.clientHeight
            : 1;
      readerMovesUp(-event.deltaY * unit);
    };
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (target.isContentEditable || target.closest('input, textarea, select')) return;
      if (event.key === 'ArrowUp') readerMovesUp(LINE_PX);
      else if (event.key === 'PageUp' || (event.key === ' ' && event.shiftKey))
        readerMovesUp(el.clientHeight);
      else if (event.key === 'Home') readerMovesUp(el.scrollTop);
    };
    let touchY = 0;
    const onTouchStart = (event: TouchEvent) => (touchY = event.touches[0]?.clientY ?? 0);
    const onTouchMove = (event: TouchEvent) => {
      const y = event.touches[0]?.clientY ?? touchY;
      readerMovesUp(y - touchY);
      touchY = y;
    };
    // A press on the scroller itself, not on a row, is on its scrollbar.
    const onPointerDown = (event: PointerEvent) => (dragging = event.target === el);
    const onPointerUp = () => (dragging = false);
    const onResize = () => {
      lastHeight = el.scrollHeight;
      if (settled()) {
        if (pinned.current) toEnd();
        else if (fromEnd() <= PIN_THRESHOLD_PX && latest.current.newestShown()) {
          // Rows shrank (or the view grew) under a reader who was not at the bottom: now they are.
          update(true);
        }
      }
      latest.current.onChange();
    };
    const observer = new ResizeObserver(onResize);
    observer.observe(el);
    // The rows' container appears once the list has rows: watch its size, and its style — the list
    // shows it when done positioning, which changes no size but may put the newest row in view.
    let rows: Element | null = null;
    const mutations = new MutationObserver(() => {
      const found = el.querySelector(ROWS);
      if (found && found !== rows) observer.observe((rows = found));
      const shown = rows?.getAttribute('style')?.includes('hidden') === false;
      if (shown && !pinned.current) {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(onResize);
      }
    });
    mutations.observe(el, { childList: true, subtree: true, attributes: true, attributeFilter: ['style'] });
    // The scroll is heard before the list's own handler, which draws the rows of the new position
    // (whose sizes may change the height) before this one would see it.
    const capture = { passive: true, capture: true };
    const listeners: [EventTarget, string, (event: never) => void][] = [
      [el, 'scroll', onScroll],
      [el, 'wheel', onWheel],
      [el, 'keydown', onKey],
      [el, 'touchstart', onTouchStart],
      [el, 'touchmove', onTouchMove],
      [el, 'pointerdown', onPointerDown],
      [window, 'pointerup', onPointerUp],
      [window, 'pointercancel', onPointerUp],
    ];
    for (const [target, type, listener] of listeners)
      target.addEventListener(type, listener as EventListener, capture);
    return () => {
      observer.disconnect();
      mutations.disconnect();
      for (const [target, type, listener] of listeners)
        target.removeEventListener(type, listener as EventListener, capture);
      cancelAnimationFrame(frame);
    };
  }, [scroller, update, mount]);

  const isPinned = useCallback(() => pinned.current, []);
  const follow = useCallback(() => update(true), [update]);
  return { atBottom, isPinned, follow };
}

// Keeps a list pinned to its bottom while the reader is there. A list only follows what is appended
// (react-virtuoso's followOutput); when the last rows change size instead — an edit adds a line, a
// delete shrinks one, a wider window rewraps every row, a picture of text loads — the bottom drifts
// out of view and nothing brings it back. Here "at the bottom" is the reader's own position, updated
// by every scroll (a change of size alone moves no scroll position), and every change of size of the
// rows or of the view brings a pinned list back to its end.
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

/** Within this distance of the end, the reader is at the bottom (the list's own threshold). */
export const PIN_THRESHOLD_PX = 48;
const ROWS = '[data-testid="virtuoso-item-list"]';

export interface BottomPin {
  /** Whether the reader is at the bottom (for "Jump to latest"), as state. */
  atBottom: boolean;
  /** The same, read at the time of the call. */
  isPinned(): boolean;
}

/**
 * `scroller`: the list's scrolling element, which changes when the list is mounted again (`mount`
 * counts those). `startsPinned`: the list opens at its end. `active()`: whether the list may be moved
 * now (not while it positions itself). `onChange` hears every scroll and change of size.
 */
export function useBottomPin(
  scroller: RefObject<HTMLElement | null>,
  mount: number,
  startsPinned: boolean,
  active: () => boolean,
  onChange: () => void,
): BottomPin {
  const pinned = useRef(startsPinned);
  const [atBottom, setAtBottom] = useState(startsPinned);
  const activeRef = useRef(active);
  activeRef.current = active;
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  const update = useCallback((value: boolean) => {
    pinned.current = value;
    setAtBottom(value);
  }, []);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    let frame = 0;
    const onScroll = () => {
      update(el.scrollHeight - el.scrollTop - el.clientHeight <= PIN_THRESHOLD_PX);
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => onChangeRef.current());
    };
    const onResize = () => {
      const end = el.scrollHeight - el.clientHeight;
      if (pinned.current && activeRef.current()) {
        if (el.scrollTop < end) el.scrollTop = end;
      } else if (end - el.scrollTop <= PIN_THRESHOLD_PX) {
        // Rows shrank (or the view grew) under a reader who was not at the bottom: now they are.
        update(true);
      }
      onChangeRef.current();
    };
    const observer = new ResizeObserver(onResize);
    observer.observe(el);
    // The rows' container appears once the list has rows; watch it from then on.
    const watchRows = () => {
      const rows = el.querySelector(ROWS);
      if (rows) observer.observe(rows);
      return rows !== null;
    };
    const mutations = watchRows() ? null : new MutationObserver(() => watchRows() && mutations?.disconnect());
    mutations?.observe(el, { childList: true, subtree: true });
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      observer.disconnect();
      mutations?.disconnect();
      el.removeEventListener('scroll', onScroll);
      cancelAnimationFrame(frame);
    };
  }, [scroller, update, mount]);

  const isPinned = useCallback(() => pinned.current, []);
  return { atBottom, isPinned };
}

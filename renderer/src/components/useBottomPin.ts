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
  /** Hears every scroll and change of size. */
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

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    // A list mounted again (a jump to the first unread) starts where it is told to.
    update(latest.current.startsPinned);
    let frame = 0;
    const onScroll = () => {
      update(el.scrollHeight - el.scrollTop - el.clientHeight <= PIN_THRESHOLD_PX);
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => latest.current.onChange());
    };
    const onResize = () => {
      // While the list positions itself (its rows hidden, or still settling) its sizes are not the
      // reader's: a list not filled yet would look like one at its bottom.
      const positioning = el.querySelector<HTMLElement>(ROWS)?.style.visibility === 'hidden';
      if (!positioning && latest.current.active()) {
        const end = el.scrollHeight - el.clientHeight;
        if (pinned.current) {
          if (el.scrollTop < end) el.scrollTop = end;
        } else if (end - el.scrollTop <= PIN_THRESHOLD_PX && latest.current.newestShown()) {
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
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      observer.disconnect();
      mutations.disconnect();
      el.removeEventListener('scroll', onScroll);
      cancelAnimationFrame(frame);
    };
  }, [scroller, update, mount]);

  const isPinned = useCallback(() => pinned.current, []);
  return { atBottom, isPinned };
}

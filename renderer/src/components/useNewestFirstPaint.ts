// Opening a conversation at its newest message, fast. react-virtuoso starts a list anywhere but its top
// with the rows hidden, waits a few frames, scrolls to the start row, and shows the rows only once no
// row has changed size for 150 ms after that scroll: about 300 ms from click to paint on every open.
// This shows them as soon as the list is at the bottom with the view filled (about 160 ms), and says
// when the list's own positioning is over. Until then the list is busy: it scrolls back to its start
// row after any change, so loading older pages (which changes the list) has to wait for it.
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

/** The element holding the rows; react-virtuoso sets `visibility: hidden` on it while positioning. */
const ROWS = '[data-testid="virtuoso-item-list"]';
/**
 * The list scrolls to its start row again whenever a row changes size within 150 ms of its last
 * scroll, and gives that up 1.2 s after the last such scroll. Past this much quiet after its last
 * sign of positioning — a scroll, a row drawn or resized — it is settled, whatever was seen. Never
 * counted from the mount: on a busy machine the page may do nothing for longer than this between the
 * list's mount and its first positioning scroll, and a list called settled then would load older
 * pages and let the reader scroll, and then jump back to its start row under them.
 */
const SETTLED_BY_MS = 1_500;

export interface NewestFirstPaint {
  /** Class for the list: shows its rows before react-virtuoso does. */
  className: string | undefined;
  /** The list is still positioning (for `aria-busy`). */
  busy: boolean;
  /** Whether the list has finished positioning, read at the time of the call. */
  isSettled(): boolean;
  /** Call with each rendered range: whether it holds the oldest and the newest message loaded. */
  onRange(range: { startsWithOldest: boolean; endsWithNewest: boolean }): void;
}

/**
 * `active`: the list opens at its newest message (otherwise it is settled from the start and this does
 * nothing). `scroller`: the list's scrolling element. `onSettled` runs once positioning is over.
 */
export function useNewestFirstPaint(
  active: boolean,
  scroller: RefObject<HTMLElement | null>,
  onSettled: () => void,
): NewestFirstPaint {
  const [revealed, setRevealed] = useState(false);
  const [busy, setBusy] = useState(active);
  const settled = useRef(!active);
  const onSettledRef = useRef(onSettled);
  onSettledRef.current = onSettled;

  useEffect(() => {
    const root = scroller.current;
    if (settled.current || !root) return;
    // The rows are drawn once before the list hides them to position; settled is their being shown
    // again after that.
    let hidden = false;
    const settle = () => {
      observer.disconnect();
      root.removeEventListener('scroll', quietAgain);
      clearTimeout(fallback);
      settled.current = true;
      setBusy(false);
      onSettledRef.current();
    };
    const check = () => {
      const isHidden = root.querySelector<HTMLElement>(ROWS)?.style.visibility === 'hidden';
      if (isHidden) hidden = true;
      else if (hidden) settle();
    };
    // The quiet period starts with the list's first move, and again with every move after it.
    let fallback: ReturnType<typeof setTimeout> | undefined;
    const quietAgain = () => {
      if (settled.current) return;
      clearTimeout(fallback);
      fallback = setTimeout(settle, SETTLED_BY_MS);
    };
    const observer = new MutationObserver(() => {
      check();
      quietAgain();
    });
    observer.observe(root, { attributes: true, attributeFilter: ['style'], childList: true, subtree: true });
    root.addEventListener('scroll', quietAgain, { passive: true });
    check();
    return () => {
      observer.disconnect();
      root.removeEventListener('scroll', quietAgain);
      clearTimeout(fallback);
    };
  }, [scroller]);

  const onRange = useCallback(
    (range: { startsWithOldest: boolean; endsWithNewest: boolean }) => {
      const el = scroller.current;
      if (settled.current || !range.endsWithNewest || !el) return;
      // The list first draws its start row alone at the top: that is not the newest page yet.
      const full = el.scrollHeight > el.clientHeight || range.startsWithOldest;
      if (full && el.scrollHeight - el.scrollTop - el.clientHeight < 1) setRevealed(true);
    },
    [scroller],
  );

  return {
    className: active && revealed ? 'log-revealed' : undefined,
    busy: active && busy,
    isSettled: () => !active || settled.current,
    onRange,
  };
}

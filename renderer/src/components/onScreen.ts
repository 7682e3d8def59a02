// What of a message list has really been on screen, read from the page itself: a row counts once its
// bottom edge is inside the visible part of the list, so a message taller than the view counts only
// when the reader has reached its end, and rows the list renders outside the view (or while it hides
// its rows to position them) never count.

/** The attribute each message row carries with its seq (sent messages only). */
export const SEQ_ATTRIBUTE = 'data-seq';

export interface OnScreen {
  /** The highest seq of a sent message fully shown; 0 when none is. */
  seenThrough: number;
  /** Whether the newest row (item index `newestIndex`) is fully shown. */
  newestShown: boolean;
}

/**
 * Reads `scroller` (the list's scrolling element) as it is laid out now; `newestIndex` is the item
 * index (react-virtuoso's `data-item-index`) of the list's newest row.
 */
export function onScreen(scroller: HTMLElement, newestIndex: number): OnScreen {
  const view = scroller.getBoundingClientRect();
  let seenThrough = 0;
  let newestShown = false;
  for (const row of scroller.querySelectorAll<HTMLElement>('[data-item-index]')) {
    const box = row.getBoundingClientRect();
    const shown = box.height > 0 && box.bottom <= view.bottom + 1 && box.bottom >= view.top && isVisible(row);
    if (!shown) continue;
    const seq = Number(row.querySelector(`[${SEQ_ATTRIBUTE}]`)?.getAttribute(SEQ_ATTRIBUTE));
    if (seq > seenThrough) seenThrough = seq;
    if (Number(row.dataset.itemIndex) === newestIndex) newestShown = true;
  }
  return { seenThrough, newestShown };
}

/** False while the list hides its rows (react-virtuoso does, as it positions them). */
function isVisible(element: HTMLElement): boolean {
  if (typeof element.checkVisibility === 'function')
    return element.checkVisibility({ visibilityProperty: true });
  return getComputedStyle(element).visibility !== 'hidden';
}

/**
 * Runs `read` once the next frame has been drawn, however often it is asked for until then. The
 * frame's layout is done by that time, so reading it forces none; a read from a frame callback (or
 * right after a render) would lay the page out once more in every frame of a burst.
 */
export function afterNextFrame(read: () => void): { request(): void; cancel(): void } {
  let frame = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cancel = () => {
    cancelAnimationFrame(frame);
    clearTimeout(timer);
    frame = 0;
    timer = undefined;
  };
  const request = () => {
    if (frame || timer !== undefined) return;
    // A task queued from a frame callback runs after that frame's rendering.
    frame = requestAnimationFrame(() => {
      frame = 0;
      timer = setTimeout(() => {
        timer = undefined;
        read();
      });
    });
  };
  return { request, cancel };
}

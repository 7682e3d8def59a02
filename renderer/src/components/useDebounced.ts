// A value that follows another once it has stopped changing for a moment: searches that ask the
// server ask once per pause in typing, not once per key.
import { useEffect, useState } from 'react';

/** How long typing must pause before a search goes out. */
export const SEARCH_DELAY_MS = 200;

export function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

import { uuidv7 } from 'uuidv7';

/** A new time-ordered id, used for client message ids and server-side row ids alike. */
export function newId(): string {
  return uuidv7();
}

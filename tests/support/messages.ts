// Messages for unit tests: a stored message with the fields a test does not care about filled in.
import type { Message } from '@switchboard/protocol';

/** A stored message in channel c1 by u-other; its text is its clientId unless given. */
export function stored(over: Partial<Message> & { clientId: string }): Message {
  return {
    id: `m-${over.clientId}`,
    channelId: 'c1',
    seq: 1,
    changeSeq: over.seq ?? 1,
    authorId: 'u-other',
    text: over.clientId,
    mentions: [],
    ts: 1,
    editedAt: null,
    deletedAt: null,
    ...over,
  };
}

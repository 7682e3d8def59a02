// Data for unit tests (and the benchmarks' baseline server): a stored message and a channel summary,
// with the fields a test does not care about filled in.
import type { ChannelSummary, Message } from '@switchboard/protocol';

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
    kind: 'text',
    notice: null,
    files: [],
    parentId: null,
    alsoInChannel: false,
    replyCount: 0,
    lastReplyAt: null,
    replierIds: [],
    reactions: [],
    ...over,
  };
}

/** A public channel whose name is its id, nothing read, nothing unread. */
export const channelSummary = (id: string, over: Partial<ChannelSummary> = {}): ChannelSummary => ({
  id,
  name: id,
  kind: 'public',
  topic: '',
  createdBy: null,
  createdAt: 0,
  headSeq: 0,
  displayName: id,
  purpose: '',
  archivedAt: null,
  changeSeq: 0,
  readSeq: 0,
  unreadCount: 0,
  mentionCount: 0,
  ...over,
});

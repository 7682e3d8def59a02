// Notification topics, published to in ntfy's HTTP dialect (docs/publish.md): topic names, who may
// use a topic, and the message shape that dialect speaks. Each topic is a stream with its own seq.
import { z } from 'zod';
import { PlainText, Seq, Text } from './schemas.ts';

/** A topic name as ntfy allows it: 1–64 of A–Z a–z 0–9 _ -, case-sensitive. */
export const TOPIC_PATTERN = /^[-_A-Za-z0-9]{1,64}$/;
export const TopicName = z.string().regex(TOPIC_PATTERN, 'topic names are 1–64 of A-Z a-z 0-9 _ -');
/** A rule's topic: a name, with `*` standing for any run of characters. */
export const TopicPattern = z
  .string()
  .regex(/^[-_A-Za-z0-9*]{1,64}$/, 'topic patterns are 1–64 of A-Z a-z 0-9 _ - and * (any characters)');

/** What a rule lets someone do with matching topics (ntfy's names). */
export const TOPIC_PERMISSIONS = ['read-write', 'read-only', 'write-only', 'deny'] as const;
export const TopicPermission = z.enum(TOPIC_PERMISSIONS);
export type TopicPermission = z.infer<typeof TopicPermission>;

/** ntfy's priorities: 1 (min) to 5 (max/urgent), 3 the default. */
export const TOPIC_PRIORITY_NAMES: Readonly<Record<string, number>> = {
  min: 1,
  low: 2,
  default: 3,
  high: 4,
  urgent: 5,
  max: 5,
};
export const TopicPriority = z.number().int().min(1).max(5);

export const MAX_TOPIC_TITLE = 256;
export const MAX_TOPIC_TAGS = 20;
export const MAX_TOPIC_TAG = 64;
export const MAX_TOPIC_CLICK = 2000;

/** Where a click on a topic message may lead: links a desktop may open (ARCHITECTURE §6). */
export const TopicClick = PlainText.max(MAX_TOPIC_CLICK).regex(
  /^(https?:\/\/[^\s/?#]+[^\s]*|mailto:[^\s]+)$/i,
  'click must be an http, https or mailto URL',
);

/** What a publisher sends besides the topic: ntfy's fields, every one but the message optional. */
export const TopicPublish = z.strictObject({
  message: Text,
  title: PlainText.max(MAX_TOPIC_TITLE).optional(),
  priority: TopicPriority.optional(),
  tags: z
    .array(
      PlainText.min(1)
        .max(MAX_TOPIC_TAG)
        .regex(/^[^,]+$/, 'a tag holds no comma'),
    )
    .max(MAX_TOPIC_TAGS)
    .optional(),
  click: TopicClick.optional(),
  markdown: z.boolean().optional(),
});
export type TopicPublish = z.infer<typeof TopicPublish>;

/**
 * One event of a topic subscription, as ntfy sends it: `time` in Unix seconds, fields without a value
 * left out. `seq` is the message's place in its topic's stream (our addition; ntfy clients ignore it).
 */
export interface TopicEvent {
  id: string;
  time: number;
  event: 'open' | 'keepalive' | 'message';
  topic: string;
  seq?: number;
  message?: string;
  title?: string;
  priority?: number;
  tags?: string[];
  click?: string;
  content_type?: 'text/markdown';
}

// --- Followed topics: the apps' side of topics, over Socket.IO (docs/protocol.md, "Topics") ---

/** Topics one user may follow at once. */
export const MAX_FOLLOWED_TOPICS = 200;
/** Messages in one page of a topic's catch-up. */
export const MAX_TOPIC_PAGE = 200;
export const DEFAULT_TOPIC_PAGE = 100;

/** A stored topic message as the apps get it: `createdAt` in epoch milliseconds, absent fields null. */
export const TopicMessage = z.object({
  id: z.string(),
  topic: z.string(),
  seq: Seq,
  createdAt: z.number(),
  message: z.string(),
  title: z.string().nullable(),
  priority: TopicPriority.nullable(),
  tags: z.array(z.string()),
  click: z.string().nullable(),
  markdown: z.boolean(),
});
export type TopicMessage = z.infer<typeof TopicMessage>;

/**
 * A topic the user follows, with the server's read state: `headSeq` is its newest message (0 before
 * the first), `readSeq` how far this user has read on any device, `prunedSeq` how far retention has
 * removed its history. `readable` is false once the user may no longer read it: nothing is delivered
 * and its messages are refused until access comes back or they unfollow it. `muted`, as a muted
 * conversation: its messages arrive and count as unread, but raise no notification and stay out of
 * the unread badge.
 */
export const FollowedTopic = z.object({
  topic: z.string(),
  headSeq: Seq,
  readSeq: Seq,
  prunedSeq: Seq,
  readable: z.boolean(),
  muted: z.boolean(),
});
export type FollowedTopic = z.infer<typeof FollowedTopic>;

export const TopicRef = z.strictObject({ topic: TopicName });
export type TopicRef = z.infer<typeof TopicRef>;

/**
 * A page of a topic's messages, oldest first: those after `after` (a seq, the client's cursor: catch-up),
 * or the newest of those before `before` (the oldest seq shown: older messages). One of the two.
 */
export const TopicMessagesRequest = z
  .strictObject({
    topic: TopicName,
    after: Seq.optional(),
    before: Seq.optional(),
    limit: z.number().int().min(1).max(MAX_TOPIC_PAGE).optional(),
  })
  .refine((q) => (q.after === undefined) !== (q.before === undefined), 'give either after or before');

/**
 * A page of catch-up. `hasMore`: ask again after the last one (with `before`: before the first one).
 * `reset`: retention removed messages after the cursor (up to `prunedSeq`), so they cannot be caught
 * up — said, never skipped silently (always false with `before`: nothing older is news).
 */
export const TopicMessagesPage = z.object({
  topic: z.string(),
  messages: z.array(TopicMessage),
  hasMore: z.boolean(),
  reset: z.boolean(),
  prunedSeq: Seq,
});
export type TopicMessagesPage = z.infer<typeof TopicMessagesPage>;

/** Mutes or unmutes a followed topic, on every device of the user. */
export const TopicMuteRequest = z.strictObject({ topic: TopicName, muted: z.boolean() });

/** Moves the user's read position in a followed topic forward to `seq`. */
export const TopicReadRequest = z.strictObject({ topic: TopicName, seq: Seq });

// Row types as Kysely sees them. Timestamps are epoch milliseconds; booleans are 0/1 so the same
// queries run on SQLite and PostgreSQL.

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  is_admin: number;
  created_at: number;
  /** Set instead of deleting a user, so streams keep every seq and their messages. */
  deactivated_at: number | null;
}

export interface TokensTable {
  id: string;
  user_id: string;
  token_hash: string;
  /** 'session' from a sign-in, 'access' for scripts (created by an admin or the CLI). */
  kind: 'session' | 'access';
  /** Space-separated TokenScope names; a session has them all. */
  scopes: string;
  label: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  /** The session that made this access token (over the API); null for sessions and CLI-made tokens. */
  created_by_token: string | null;
}

export interface ChannelsTable {
  id: string;
  name: string;
  kind: 'public' | 'private' | 'direct';
  topic: string;
  created_by: string | null;
  created_at: number;
  /** Highest seq handed out in this stream. */
  head_seq: number;
  /** Everything at or below this seq has been removed by retention. */
  pruned_seq: number;
  /** Messages ever stored in the channel's list, deleted and pruned ones included (unread counts). */
  listed_count: number;
  /** Of those, deleted ones retention has not removed yet (what a new member does not count). */
  deleted_count: number;
  /** `listed_ord` of the newest message retention removed (where a new member's count starts). */
  pruned_ord: number;
  /** Direct conversations: the two user ids, sorted and joined, so each pair has one stream. */
  direct_key: string | null;
  // Channel details: `name` is the ASCII slug, `display_name` what people read (any script).
  display_name: string;
  purpose: string;
  archived_at: number | null;
  /** Seq of the latest change to the details; 0 if never changed. */
  change_seq: number;
}

export interface ChannelMembersTable {
  channel_id: string;
  user_id: string;
  joined_at: number;
  read_seq: number;
  /**
   * Unread is `channels.listed_count − read_ord − hidden_after`, so a summary costs one row, not a
   * count over history. `read_ord` is the `listed_ord` at `read_seq`; `hidden_after` counts the
   * messages after `read_seq` that are listed but not unread: deleted, or the member's own.
   */
  read_ord: number;
  hidden_after: number;
}

export interface MessagesTable {
  id: string;
  channel_id: string;
  seq: number;
  change_seq: number;
  author_id: string;
  client_id: string;
  text: string;
  created_at: number;
  edited_at: number | null;
  deleted_at: number | null;
  // Threads: a reply's root, and on a root the summary of its replies (kept with each reply).
  parent_id: string | null;
  also_in_channel: number;
  reply_count: number;
  last_reply_at: number | null;
  /** Space-separated user ids, newest replier first. */
  replier_ids: string;
  /** The channel's `listed_count` once this message was stored: its place in the channel's list. */
  listed_ord: number;
}

export interface MentionsTable {
  message_id: string;
  channel_id: string;
  user_id: string;
  seq: number;
}

export interface InvitesTable {
  id: string;
  code_hash: string;
  created_by: string;
  created_at: number;
  expires_at: number;
  uses_left: number;
}

/** One row per user who has saved preferences: the JSON of a protocol `Preferences` object. */
export interface UserPreferencesTable {
  user_id: string;
  data: string;
  updated_at: number;
}

/** When a token was last used (written at most once a minute per token); null if never since 0005. */
export interface TokenUseColumns {
  last_used_at: number | null;
}

/** A one-time code that lets a user set a new password: stored hashed, expiring, used once (deleted). */
export interface PasswordResetsTable {
  id: string;
  user_id: string;
  code_hash: string;
  created_by: string | null;
  created_at: number;
  expires_at: number;
}

/** Notices: messages the server records for an action (see protocol `Message.kind`). */
export interface MessagesTable {
  kind: 'text' | 'notice';
  /** JSON of the protocol's `Notice`, for kind 'notice'. */
  notice: string | null;
}

/**
 * An uploaded file: the bytes live once per content under the data directory (store/blobs.ts), by
 * `sha256`; a row per upload says who may see them. Unattached (`message_id` null) until a message
 * of its channel, sent by its uploader, takes it.
 */
export interface FilesTable {
  id: string;
  channel_id: string;
  uploader_id: string;
  message_id: string | null;
  name: string;
  size: number;
  mime: string;
  sha256: string;
  /** Pixel size of an image, read from its header; null for other files. */
  width: number | null;
  height: number | null;
  created_at: number;
  /** Where the file stands among its message's files: its index in the send's fileIds (0 until attached). */
  attach_index: number;
}

/** A user following a thread (root author, repliers, people mentioned), with their read state in it. */
export interface ThreadFollowsTable {
  thread_id: string;
  user_id: string;
  channel_id: string;
  /** Seq of the newest reply they have read. */
  read_seq: number;
  /** The thread's newest reply, copied here so a user's threads list in order from one index. */
  last_reply_at: number;
}

/** One person's reaction with one emoji (the set's spelling, protocol/src/emoji.ts) to one message. */
export interface ReactionsTable {
  message_id: string;
  emoji: string;
  user_id: string;
  created_at: number;
}

export interface ServerMetaTable {
  key: string;
  value: string;
}

export interface Database {
  users: UsersTable;
  tokens: TokensTable & TokenUseColumns;
  channels: ChannelsTable;
  channel_members: ChannelMembersTable;
  messages: MessagesTable;
  mentions: MentionsTable;
  invites: InvitesTable;
  user_preferences: UserPreferencesTable;
  server_meta: ServerMetaTable;
  password_resets: PasswordResetsTable;
  files: FilesTable;
  thread_follows: ThreadFollowsTable;
  reactions: ReactionsTable;
}

// --- Notification topics (ntfy's dialect): each topic is a stream with its own seq. ---

export interface TopicsTable {
  id: string;
  /** As published to: case-sensitive, [-_A-Za-z0-9]{1,64}. */
  name: string;
  created_at: number;
  /** Highest seq handed out in this topic's stream. */
  head_seq: number;
  /** Everything at or below this seq has been removed by retention. */
  pruned_seq: number;
}

export interface TopicMessagesTable {
  id: string;
  topic_id: string;
  seq: number;
  /** Who published it; null for an anonymous publisher (when the rules allow one). */
  publisher_id: string | null;
  created_at: number;
  message: string;
  title: string | null;
  priority: number | null;
  /** JSON array of strings, or null for none. */
  tags: string | null;
  click: string | null;
  markdown: number;
}

/** One access rule: `subject` is a user id, or `*` for everyone (anonymous callers included). */
export interface TopicAccessTable {
  subject: string;
  /** A topic name, `*` standing for any run of characters. */
  pattern: string;
  permission: 'read-write' | 'read-only' | 'write-only' | 'deny';
  created_at: number;
}

export interface Database {
  topics: TopicsTable;
  topic_messages: TopicMessagesTable;
  topic_access: TopicAccessTable;
}

// --- Topics the apps' users follow (0060, muted since 0080) ---

/** A user follows a topic by name (it may have no message yet); `read_seq` is how far they have read. */
export interface TopicFollowsTable {
  user_id: string;
  topic: string;
  followed_at: number;
  read_seq: number;
  /** 1: no notifications, not in the badge (the messages still arrive). */
  muted: number;
}

export interface Database {
  topic_follows: TopicFollowsTable;
}

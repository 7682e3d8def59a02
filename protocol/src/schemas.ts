// zod schemas for every payload a client sends. The server parses with these; clients may too.
import { z } from 'zod';
import { MAX_CHANNEL_DISPLAY_NAME } from './channelNames.ts';
import {
  DEFAULT_LIMITS,
  MAX_FILES_PER_MESSAGE,
  MAX_SYNC_CURSORS,
  MIN_PASSWORD_LENGTH,
  NAME_PATTERN,
} from './limits.ts';
import { RegistrationPolicy } from './models.ts';

/**
 * Any text a client sends: well-formed UTF-16. A lone surrogate cannot be stored as sent (it would
 * come back as U+FFFD under the same changeSeq), so it is refused, on every transport alike.
 */
export const Text = z
  .string()
  .refine((text) => !/\p{Cs}/u.test(text), 'must be well-formed Unicode text (it holds a lone surrogate)');
/**
 * Text people read on one line — labels, names, topics: no C0/C1 control characters and no
 * bidirectional embeddings, overrides or isolates, which could forge lines or reorder what a
 * terminal or page shows.
 */
export const PlainText = Text.refine(
  (text) => !/[\p{Cc}\u202a-\u202e\u2066-\u2069]/u.test(text),
  'must not contain control characters or bidirectional overrides',
);

export const Id = Text.min(1).max(64);
/** Client-generated message id (UUIDv7 recommended); the idempotency key per author. */
export const ClientId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'clientId must be 8–64 characters of [A-Za-z0-9_-]');
export const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const Username = z
  .string()
  .regex(NAME_PATTERN, 'usernames are 1–64 of a-z 0-9 . _ - and start with a letter or digit');
export const ChannelName = z
  .string()
  .regex(NAME_PATTERN, 'channel names are 1–64 of a-z 0-9 . _ - and start with a letter or digit');
export const Password = Text.min(
  MIN_PASSWORD_LENGTH,
  `passwords need at least ${MIN_PASSWORD_LENGTH} characters`,
).max(1024);
export const Visibility = z.enum(['public', 'private']);
/** A request that takes no parameters. */
export const Empty = z.strictObject({});
export const PageLimit = z.number().int().min(1).max(DEFAULT_LIMITS.maxPageSize);

/** Message text: length is checked against the server's configured limit separately. */
export const MessageText = Text.refine((text) => text.trim().length > 0, 'message text is empty');
/** A user's name as others see it; usernames themselves follow NAME_PATTERN. */
export const DisplayName = PlainText.min(1)
  .max(128)
  .refine((name) => name.trim() === name && name !== '', 'display names do not start or end with spaces');
/** What an access token is for, as its owner wrote it. */
export const TokenLabel = PlainText.max(200);

/**
 * What an access token may be used for, chosen when it is made: `chat` — everything a signed-in user
 * does in chat, over REST and Socket.IO; `publish` — the publish API. A sign-in session has every scope,
 * and only a session manages the account (password, tokens, users, invites).
 */
export const TOKEN_SCOPES = ['chat', 'publish'] as const;
export const TokenScope = z.enum(TOKEN_SCOPES);
export const CreateTokenRequest = z.strictObject({
  label: TokenLabel.optional(),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
  scopes: z
    .array(TokenScope)
    .min(1)
    .refine((scopes) => new Set(scopes).size === scopes.length, 'name each scope once')
    .optional(),
});

/** What a client calls the device it signs in from ("Switchboard desktop on Windows"); shown in the device list. */
export const DeviceLabel = PlainText.min(1).max(100);
export const LoginRequest = z.strictObject({
  username: Username,
  password: Text.min(1).max(1024),
  /** Left out, the server names the device from the request's User-Agent. */
  device: DeviceLabel.optional(),
});
export const SetupRequest = z.strictObject({
  setupCode: Text.min(1).max(256),
  username: Username,
  password: Password,
  device: DeviceLabel.optional(),
});
export const RegisterRequest = z.strictObject({
  username: Username,
  password: Password,
  invite: Text.min(1).max(256).optional(),
  device: DeviceLabel.optional(),
});
export const PasswordChangeRequest = z.strictObject({
  currentPassword: Text.min(1).max(1024),
  newPassword: Password,
  /** Also end every access token, not only sessions and the tokens they made. */
  revokeAllTokens: z.boolean().optional(),
});

/** A channel's name as people read it, in any script; leading and trailing spaces are dropped. */
export const ChannelDisplayName = PlainText.trim()
  .min(1, 'the name is empty')
  .max(MAX_CHANNEL_DISPLAY_NAME, `names are at most ${MAX_CHANNEL_DISPLAY_NAME} characters`);
export const ChannelTopic = PlainText.max(500);
export const ChannelPurpose = PlainText.max(500);

/**
 * `name` is the slug (NAME_PATTERN); `displayName` the name in any script. Give either or both: a
 * slug alone is also the display name (as before 0.2), a display name alone gets a slug derived from
 * it (channelNames.ts).
 */
export const CreateChannelRequest = z
  .strictObject({
    name: ChannelName.optional(),
    displayName: ChannelDisplayName.optional(),
    visibility: Visibility,
    topic: ChannelTopic.optional(),
    purpose: ChannelPurpose.optional(),
  })
  .refine((req) => req.name !== undefined || req.displayName !== undefined, 'give a name or a displayName');

/** Changes to a channel's details; what is left out stays as it is. */
export const UpdateChannelRequest = z
  .strictObject({
    channelId: Id,
    /** Rename: the name people read. The slug stays unless `name` is given too. */
    displayName: ChannelDisplayName.optional(),
    /** A new slug. */
    name: ChannelName.optional(),
    topic: ChannelTopic.optional(),
    purpose: ChannelPurpose.optional(),
    /** True archives the channel (read-only, out of the sidebar); false brings it back. */
    archived: z.boolean().optional(),
  })
  .refine((req) => Object.keys(req).length > 1, 'say what to change');
export const OpenDirectRequest = z.strictObject({ userId: Id });
export const ChannelRef = z.strictObject({ channelId: Id });
export const MemberRequest = z.strictObject({ channelId: Id, userId: Id });

/** Public channels whose name or topic contains `query`, a page at a time, by name. */
export const BrowseChannelsRequest = z.strictObject({
  query: PlainText.max(64).optional(),
  /** The `nextCursor` of the previous page. */
  cursor: Text.min(1).max(128).optional(),
  limit: PageLimit.optional(),
});

/** Uploads (`POST /api/v1/channels/:id/files`) a message takes with it; with files the text may be empty. */
export const FileIds = z
  .array(Id)
  .max(MAX_FILES_PER_MESSAGE, `at most ${MAX_FILES_PER_MESSAGE} files per message`)
  .refine((ids) => new Set(ids).size === ids.length, 'name each file once');

/** A reply's fields of a send: the thread (any message of it: a reply to a reply joins the root's thread). */
export const ThreadReplyFields = {
  parentId: Id.optional(),
  /** Also show the reply in the channel's list. */
  alsoInChannel: z.boolean().optional(),
};
const replyNeedsParent = (req: { parentId?: string; alsoInChannel?: boolean }) =>
  req.alsoInChannel !== true || req.parentId !== undefined;
const REPLY_NEEDS_PARENT = 'alsoInChannel is for replies: give the parentId';

export const SendMessageRequest = z
  .strictObject({
    channelId: Id,
    clientId: ClientId,
    text: Text,
    fileIds: FileIds.optional(),
    ...ThreadReplyFields,
  })
  .refine((m) => m.text.trim().length > 0 || (m.fileIds?.length ?? 0) > 0, {
    message: 'message text is empty',
    path: ['text'],
  })
  .refine(replyNeedsParent, REPLY_NEEDS_PARENT);
export const EditMessageRequest = z.strictObject({ messageId: Id, text: MessageText });
export const MessageRef = z.strictObject({ messageId: Id });

/**
 * History paging: `after` walks forward from a seq, `before` walks back, `around` is the page with
 * that seq in its middle (a search result in context); none of them gives the newest page.
 */
export const HistoryRequest = z
  .strictObject({
    channelId: Id,
    after: Seq.optional(),
    before: Seq.optional(),
    around: Seq.optional(),
    limit: PageLimit.optional(),
  })
  .refine(
    (q) => [q.after, q.before, q.around].filter((v) => v !== undefined).length <= 1,
    'use one of after, before and around',
  );

export const MarkReadRequest = z.strictObject({ channelId: Id, seq: Seq });

// Threads
/** A thread, by any of its messages; its replies paged like history. */
export const ThreadRequest = z
  .strictObject({ messageId: Id, after: Seq.optional(), before: Seq.optional(), limit: PageLimit.optional() })
  .refine((q) => q.after === undefined || q.before === undefined, 'use either after or before, not both');
export const ThreadReadRequest = z.strictObject({ messageId: Id, seq: Seq });
export const ThreadListRequest = z.strictObject({
  /** The `nextCursor` of the previous page. */
  cursor: Text.min(1).max(128).optional(),
  limit: PageLimit.optional(),
});

// Reactions
/** An emoji of the set (protocol/src/emoji.ts), or its shortcode name (`tada`, `:tada:`): checked by the server. */
export const ReactionEmoji = Text.min(1).max(64);
export const ReactionRequest = z.strictObject({ messageId: Id, emoji: ReactionEmoji });

export const THEMES = ['system', 'light', 'dark'] as const;
export const LANGUAGES = ['en', 'ko'] as const;
export const NOTIFY_LEVELS = ['all', 'mentions', 'none'] as const;

// --- Notification preferences: per conversation, keywords, do not disturb, quiet hours -----------

/** Keywords a user may be notified about; each 1–64 characters. */
export const MAX_NOTIFY_KEYWORDS = 25;
/** Conversations with a setting of their own (mute or another level); the rest follow `notify`. */
export const MAX_CONVERSATION_SETTINGS = 200;

/** Whether `timeZone` is an IANA time zone this runtime knows (Europe/Berlin, America/New_York, UTC…). */
export function isTimeZone(timeZone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+/-]{0,63}$/.test(timeZone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** A time of day, `HH:MM` on a 24-hour clock. */
export const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:MM, 00:00–23:59');
export const TimeZone = z
  .string()
  .refine(isTimeZone, 'not a time zone (use an IANA name such as Europe/Berlin)');
export const NotifyKeyword = PlainText.min(1)
  .max(64)
  .refine((k) => k.trim() === k, 'a keyword has no spaces at its ends');
/** A conversation's own setting: muted (no notifications, not in the unread badge), or another level. */
export const ConversationSetting = z
  .strictObject({ muted: z.boolean().optional(), notify: z.enum(NOTIFY_LEVELS).optional() })
  .refine((s) => s.muted === true || s.notify !== undefined, 'leave out a conversation without a setting');
/** Do not disturb: no notifications until `until` (Unix ms), or until turned off (`null`). */
export const DoNotDisturb = z.strictObject({ until: z.number().int().min(0).max(8.64e15).nullable() });
/**
 * A daily quiet time from `from` to `to` in the user's time zone; `from` after `to` crosses midnight
 * (22:00–07:00). The zone is stored with it, so every device keeps the same hours wherever it is.
 */
export const QuietHours = z
  .strictObject({ from: TimeOfDay, to: TimeOfDay, timeZone: TimeZone })
  .refine((q) => q.from !== q.to, 'quiet hours start and end at different times');

/**
 * A user's app preferences, kept by the server so they follow the user to every device. A key left
 * out takes the app's default. Unknown keys are refused, and every value is an enum, a boolean or a
 * small bounded object, so the stored object stays within a few kilobytes.
 */
export const Preferences = z.strictObject({
  theme: z.enum(THEMES).optional(),
  language: z.enum(LANGUAGES).optional(),
  /** Which new messages raise a notification while the app is in the background. */
  notify: z.enum(NOTIFY_LEVELS).optional(),
  /** Whether a notification shows where the message is, or only that something arrived. */
  notifyPreview: z.boolean().optional(),
  // Notifications, beyond the level: sound, keywords, per conversation, do not disturb, quiet hours.
  /** Whether notifications make a sound. */
  notifySound: z.boolean().optional(),
  /** Words that notify like a mention (whole words, any case). */
  keywords: z
    .array(NotifyKeyword)
    .max(MAX_NOTIFY_KEYWORDS)
    .refine(
      (list) => new Set(list.map((k) => k.toLowerCase())).size === list.length,
      'name each keyword once',
    )
    .optional(),
  /** Per conversation (by channel id): muted, or a level other than `notify`. */
  conversations: z
    .record(Id, ConversationSetting)
    .refine(
      (all) => Object.keys(all).length <= MAX_CONVERSATION_SETTINGS,
      `at most ${MAX_CONVERSATION_SETTINGS} conversations with a setting of their own`,
    )
    .optional(),
  dnd: DoNotDisturb.optional(),
  quietHours: QuietHours.optional(),
});
export const TypingRequest = z.strictObject({ channelId: Id });

/** Sent after every (re)connect: where this client is in each stream it knows. */
export const SyncRequest = z.strictObject({
  epoch: Text.max(64).nullable(),
  cursors: z
    .record(Id, Seq)
    .refine(
      (c) => Object.keys(c).length <= MAX_SYNC_CURSORS,
      `at most ${MAX_SYNC_CURSORS} cursors per sync: send the rest in another call`,
    ),
  limit: PageLimit.optional(),
});

// --- People: invites, registration, managing users, the caller's profile and devices ---------------

export const SetRegistrationRequest = z.strictObject({ registration: RegistrationPolicy });
export const CreateInviteRequest = z.strictObject({
  /** How many accounts it can create (1 when left out). */
  uses: z.number().int().min(1).max(1000).optional(),
  /** 7 when left out. */
  expiresInDays: z.number().int().min(1).max(365).optional(),
});
/** An admin's change to a user: make or remove admin, deactivate or reactivate. */
export const UpdateUserRequest = z
  .strictObject({ isAdmin: z.boolean().optional(), deactivated: z.boolean().optional() })
  .refine((r) => r.isAdmin !== undefined || r.deactivated !== undefined, 'change isAdmin or deactivated');
/** Sets a new password with the one-time code of a reset link, and signs in. */
export const ResetPasswordRequest = z.strictObject({
  code: Text.min(1).max(256),
  password: Password,
  device: DeviceLabel.optional(),
});
export const ProfileRequest = z.strictObject({ displayName: DisplayName });
// --- search ---------------------------------------------------------------------------------

/**
 * A search of every message the caller can read, newest first. `q` is words and "phrases" and may
 * also hold the operators of search.ts (`in:#channel from:@user before:YYYY-MM-DD after:… has:file`,
 * dates in UTC); the other fields are the same filters given separately, and both apply. Without
 * words `q` may be empty, as long as some filter is given.
 */
export const SearchRequest = z.strictObject({
  q: Text.max(500),
  /** A channel id. */
  channel: Id.optional(),
  /** An author's username. */
  from: Username.optional(),
  /** Only messages created before this time (ms, exclusive). */
  before: Seq.optional(),
  /** Only messages created after this time (ms, exclusive). */
  after: Seq.optional(),
  limit: PageLimit.optional(),
  /** The `nextCursor` of the previous page. */
  cursor: Text.min(1).max(64).optional(),
});
export type SearchRequest = z.infer<typeof SearchRequest>;

export type LoginRequest = z.infer<typeof LoginRequest>;
export type SetupRequest = z.infer<typeof SetupRequest>;
export type RegisterRequest = z.infer<typeof RegisterRequest>;
export type CreateChannelRequest = z.infer<typeof CreateChannelRequest>;
export type UpdateChannelRequest = z.infer<typeof UpdateChannelRequest>;
export type ThreadRequest = z.infer<typeof ThreadRequest>;
export type ThreadListRequest = z.infer<typeof ThreadListRequest>;
export type BrowseChannelsRequest = z.infer<typeof BrowseChannelsRequest>;
export type SendMessageRequest = z.infer<typeof SendMessageRequest>;
export type EditMessageRequest = z.infer<typeof EditMessageRequest>;
export type HistoryRequest = z.infer<typeof HistoryRequest>;
export type MarkReadRequest = z.infer<typeof MarkReadRequest>;
export type SyncRequest = z.infer<typeof SyncRequest>;
export type Preferences = z.infer<typeof Preferences>;
export type ConversationSetting = z.infer<typeof ConversationSetting>;
export type DoNotDisturb = z.infer<typeof DoNotDisturb>;
export type QuietHours = z.infer<typeof QuietHours>;
export type TokenScope = z.infer<typeof TokenScope>;
export type CreateTokenRequest = z.infer<typeof CreateTokenRequest>;
export type CreateInviteRequest = z.infer<typeof CreateInviteRequest>;
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;
export type ResetPasswordRequest = z.infer<typeof ResetPasswordRequest>;

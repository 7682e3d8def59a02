// `@name` mentions, read from a message's text by one rule: the server stores who a message mentions
// (so unread-mention counts agree on every client) and the UI styles exactly those names.

/** `@name` at a word start; the name is NAME_PATTERN's (limits.ts), lower case as usernames are. */
const MENTION = /(^|[^A-Za-z0-9_.@-])@([a-z0-9][a-z0-9._-]{0,63})/g;

/** One `@name` in a text: the name, and where its `@` stands. */
export interface MentionAt {
  name: string;
  index: number;
}

/** Every `@name` in a text, in order. A trailing dot ends a sentence, not a name. */
export function mentionsIn(text: string): MentionAt[] {
  return [...text.matchAll(MENTION)].map((match) => ({
    name: match[2]!.replace(/\.+$/, ''),
    index: match.index + match[1]!.length,
  }));
}

/** Distinct usernames mentioned in a text, in order of first appearance. */
export function mentionedUsernames(text: string): string[] {
  return [...new Set(mentionsIn(text).map((m) => m.name))];
}

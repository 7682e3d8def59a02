// `@name` mentions, recognised server-side so unread-mention counts agree on every client.
const MENTION = /(^|[^A-Za-z0-9_.@-])@([a-z0-9][a-z0-9._-]{0,63})/g;

/** Distinct usernames mentioned in a text, in order of first appearance. A trailing dot ends a sentence, not a name. */
export function mentionedUsernames(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(MENTION)) names.add(match[2]!.replace(/\.+$/, ''));
  return [...names];
}

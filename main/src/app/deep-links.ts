// switchboard:// links: `switchboard://open?server=…&channel=…[&message=…]` opens a conversation (at a message),
// `switchboard://join?server=…&invite=…` opens registration with an invite. Parsed with a schema:
// anything else (another action, a server that is not http(s), extra junk) is ignored and logged.
import type { DeepLinkTarget } from '@switchboard/protocol/desktop';
import { z } from 'zod';

export const DEEP_LINK_SCHEME = 'switchboard';

const ServerUrl = z.url({ protocol: /^https?$/ }).max(2048);
const Id = z.string().min(1).max(256);

const Link = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('open'), server: ServerUrl, channel: Id, message: Id.optional() }),
  z.strictObject({ action: z.literal('join'), server: ServerUrl, invite: Id }),
]);

export type DeepLinkResult = { ok: true; target: DeepLinkTarget } | { ok: false; reason: string };

export function parseDeepLink(raw: string): DeepLinkResult {
  if (raw.length > 4096) return { ok: false, reason: 'the link is too long' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:`)
    return { ok: false, reason: `not a ${DEEP_LINK_SCHEME}: link` };
  if (url.pathname !== '' && url.pathname !== '/') return { ok: false, reason: 'unexpected path' };
  const fields: Record<string, string> = { action: url.hostname };
  for (const [key, value] of url.searchParams) {
    if (key in fields) return { ok: false, reason: `"${key}" given twice` };
    fields[key] = value;
  }
  const parsed = Link.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `${issue?.path.join('.') || 'link'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, target: parsed.data };
}

/** The deep link among a command line's arguments (Windows and Linux pass it there). */
export function deepLinkIn(argv: readonly string[]): string | undefined {
  return argv.find((arg) => arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}://`));
}

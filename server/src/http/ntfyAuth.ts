// Who is calling the publish API, the ways ntfy's clients say it: `Authorization: Bearer <token>`,
// `Authorization: Basic` with username and password (or an empty username and a token as the
// password), or the same header base64url-encoded in `?auth=`. No credentials: an anonymous caller,
// whom the topic rules may still let in. Bad credentials are refused even where anonymous would pass.
import type { IncomingHttpHeaders } from 'node:http';
import { SwitchboardError } from '@switchboard/protocol';
import type { ServerContext } from '../context.ts';
import type { TopicCaller } from '../domain/topicAccess.ts';
import type { Since } from '../domain/topics.ts';
import { requireScope } from './auth.ts';
import { queryParam, sinceOf, topicList, truthy } from './ntfyInput.ts';

/** What a caller is known by: an HTTP request, or a WebSocket's upgrade request. */
export interface CallerRequest {
  /** The client's address, behind trusted proxies. */
  ip: string;
  headers: IncomingHttpHeaders;
  query: unknown;
}

const HOW = 'send Authorization: Bearer <access token with the publish scope>, or Basic username:password';

/** The caller (null when anonymous), after the address's and the user's rate limits. */
export async function topicCaller(ctx: ServerContext, request: CallerRequest): Promise<TopicCaller | null> {
  // The address pays before credentials are checked, so guessing them is rate limited too.
  await ctx.rateLimits.consume(request.ip);
  const header = authorizationOf(request);
  if (header === undefined) return null;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  const basic = /^Basic\s+([A-Za-z0-9+/=_-]+)$/i.exec(header);
  let caller: TopicCaller;
  if (bearer) {
    caller = await viaToken(ctx, bearer[1]!);
  } else if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new SwitchboardError('unauthorized', `malformed Basic credentials: ${HOW}`);
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    caller =
      username === ''
        ? await viaToken(ctx, password)
        : await ctx.rateLimits.passwordCheck(request.ip, username, () =>
            ctx.accounts.verifyPassword(username, password),
          );
  } else {
    throw new SwitchboardError('unauthorized', HOW);
  }
  await ctx.rateLimits.consumeUser(caller.id);
  return caller;
}

/**
 * A subscription to `names` (`a,b,c`): its topics, where it starts (`since=`, by default everything
 * kept when polling and nothing otherwise), whether it is a poll and whose it is, once the caller may
 * read them all.
 */
export async function subscriptionOf(
  ctx: ServerContext,
  request: CallerRequest,
  names: string,
): Promise<{ topics: string[]; since: Since; poll: boolean; holder: string }> {
  const topics = topicList(names);
  const caller = await topicCaller(ctx, request);
  await ctx.topicAccess.require(caller, topics, 'read');
  const poll = truthy(queryParam(request, 'poll') ?? '');
  const since = sinceOf(queryParam(request, 'since') ?? (poll ? 'all' : 'none'), Date.now());
  // Whose live subscriptions this one counts against: the user's, or the anonymous address's.
  const holder = caller ? `user ${caller.id}` : `address ${request.ip}`;
  return { topics, since, poll, holder };
}

async function viaToken(ctx: ServerContext, token: string): Promise<TopicCaller> {
  const user = await ctx.accounts.authenticate(token);
  requireScope(user, 'publish');
  return user;
}

/** The Authorization header, or the one `?auth=` carries (ntfy: base64url of the whole header). */
function authorizationOf(request: CallerRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined && header !== '') return header;
  const param = queryParam(request, 'auth');
  if (param === undefined || param === '') return undefined;
  return Buffer.from(param, 'base64url').toString('utf8');
}

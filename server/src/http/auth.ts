// Authentication for the REST API, applied once per group of routes: each group is an encapsulated
// Fastify context whose onRequest hook checks the bearer token against the group's access rule and
// leaves the caller on `request.user`, so no route authenticates by hand.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SwitchboardError, type TokenScope } from '@switchboard/protocol';
import type { ServerContext } from '../context.ts';
import type { Authenticated } from '../domain/accounts.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller: set by the onRequest hook of an authenticated group, never read outside one. */
    user: Authenticated;
  }
}

/**
 * Who may call a group of routes: `token` any valid token; `chat` a token with the chat scope (every
 * session has it); `session` a sign-in session, not an access token; `admin` an admin's sign-in session.
 */
export type Access = 'token' | 'chat' | 'session' | 'admin';

/** Registers `routes` in their own context, behind the `access` rule. */
export async function withAccess(
  parent: FastifyInstance,
  ctx: ServerContext,
  access: Access,
  routes: (group: FastifyInstance) => void,
): Promise<void> {
  await parent.register(async (group) => {
    group.decorateRequest('user', null as unknown as Authenticated);
    group.addHook('onRequest', async (request) => {
      request.user = await authenticate(ctx, request, access);
    });
    routes(group);
  });
}

/** Checks `Authorization: Bearer <token>` against `access` and applies the caller's rate limits. */
async function authenticate(
  ctx: ServerContext,
  request: FastifyRequest,
  access: Access,
): Promise<Authenticated> {
  // The address pays before the token is checked, so guessing tokens is rate limited too.
  await ctx.rateLimits.consume(request.ip);
  const match = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i);
  if (!match) {
    throw new SwitchboardError(
      'unauthorized',
      'send Authorization: Bearer <token> (POST /api/v1/auth/login gives one)',
    );
  }
  const user = await ctx.accounts.authenticate(match[1]!);
  await ctx.rateLimits.consumeUser(user.id);
  if (access === 'chat') requireScope(user, 'chat');
  // Access tokens are for scripts: a leaked one must not mint more tokens or manage accounts.
  if ((access === 'session' || access === 'admin') && user.tokenKind !== 'session')
    throw new SwitchboardError('forbidden', 'access tokens cannot do this: sign in with a password');
  if (access === 'admin' && !user.isAdmin) throw new SwitchboardError('forbidden', 'only admins can do this');
  return user;
}

/** Refuses a token whose scopes leave `scope` out (REST and the Socket.IO handshake alike). */
export function requireScope(user: Authenticated, scope: TokenScope): void {
  if (!user.scopes.includes(scope)) {
    throw new SwitchboardError(
      'forbidden',
      `this token's scope is ${user.scopes.join(', ')}, not ${scope}: make a token with the ${scope} scope`,
    );
  }
}

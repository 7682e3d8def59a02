// Bearer-token authentication for HTTP routes, in a module of its own so that the app (app.ts) and
// the routes it registers (routes/) both depend on it rather than on each other.
import type { FastifyRequest } from 'fastify';
import { SwitchboardError } from '@switchboard/protocol';
import type { ServerContext } from '../context.ts';
import type { Authenticated } from '../domain/accounts.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireUser`. */
    user?: Authenticated;
  }
}

/** Authenticates `Authorization: Bearer <token>` and applies the caller's rate limits. */
export async function requireUser(ctx: ServerContext, request: FastifyRequest): Promise<Authenticated> {
  // The address pays before the token is checked, so guessing tokens is rate limited too.
  await ctx.rateLimits.consume(request.ip);
  const header = request.headers.authorization;
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  if (!match) {
    throw new SwitchboardError(
      'unauthorized',
      'send Authorization: Bearer <token> (POST /api/v1/auth/login gives one)',
    );
  }
  const user = await ctx.accounts.authenticate(match[1]!);
  await ctx.rateLimits.consumeUser(user.id);
  request.user = user;
  return user;
}

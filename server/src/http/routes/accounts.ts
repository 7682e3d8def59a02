// REST routes for accounts: sign-in, the caller's own account and tokens, and admin work on users
// and invites. Each function's routes are registered behind one access rule (see ./api.ts).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  CreateTokenRequest,
  LoginRequest,
  Password,
  PasswordChangeRequest,
  RegisterRequest,
  SetupRequest,
  Username,
} from '@switchboard/protocol';
import type { ServerContext } from '../../context.ts';
import { parse } from '../../errors.ts';
import { bodyObject, idParam } from './input.ts';

const CreateInviteRequest = z.strictObject({
  uses: z.number().int().min(1).max(1000).optional(),
  expiresInDays: z.number().int().min(1).max(365).optional(),
});
const CreateUserRequest = z.strictObject({
  username: Username,
  password: Password,
  isAdmin: z.boolean().optional(),
});

const DAY = 24 * 60 * 60 * 1000;

/** No token needed: how accounts are made, and signing in. */
export function signInRoutes(api: FastifyInstance, ctx: ServerContext): void {
  api.get('/auth/status', async (request) => {
    await ctx.rateLimits.consume(request.ip);
    return {
      setupRequired: (await ctx.accounts.countUsers()) === 0,
      registration: ctx.accounts.registration,
      version: ctx.version,
    };
  });

  api.post('/auth/login', async (request) => {
    const { username, password } = parse(LoginRequest, request.body);
    return ctx.rateLimits.passwordCheck(request.ip, username, () => ctx.accounts.login(username, password));
  });

  api.post('/auth/setup', async (request, reply) => {
    await ctx.rateLimits.consumeSignUp(request.ip);
    const req = parse(SetupRequest, request.body);
    await ctx.accounts.completeSetup(req.setupCode, req.username, req.password);
    return reply.status(201).send(await ctx.accounts.login(req.username, req.password));
  });

  api.post('/auth/register', async (request, reply) => {
    await ctx.rateLimits.consumeSignUp(request.ip);
    const req = parse(RegisterRequest, request.body);
    await ctx.accounts.register(req);
    return reply.status(201).send(await ctx.accounts.login(req.username, req.password));
  });
}

/** Who the caller is, and signing out: any valid token, whatever its scopes. */
export function identityRoutes(api: FastifyInstance, ctx: ServerContext): void {
  api.post('/auth/logout', async (request, reply) => {
    await ctx.accounts.revokeToken(request.user.tokenId, request.user.id);
    return reply.status(204).send();
  });

  api.get('/me', async (request) => {
    const { tokenId: _tokenId, ...user } = request.user;
    return user;
  });
}

/**
 * The caller's password and tokens: sign-in sessions only, so a leaked access token can neither take
 * the account over nor mint or revoke tokens.
 */
export function ownAccountRoutes(api: FastifyInstance, ctx: ServerContext): void {
  api.post('/me/password', async (request, reply) => {
    const req = parse(PasswordChangeRequest, request.body);
    const { username } = request.user;
    await ctx.rateLimits.passwordCheck(request.ip, username, () =>
      ctx.accounts.verifyPassword(username, req.currentPassword),
    );
    await ctx.accounts.setPassword(username, req.newPassword, { revokeAllTokens: req.revokeAllTokens });
    return reply.status(204).send();
  });

  api.get('/tokens', async (request) => ({ tokens: await ctx.accounts.listTokens(request.user.username) }));

  api.post('/tokens', async (request, reply) => {
    const req = parse(CreateTokenRequest, bodyObject(request));
    const issued = await ctx.accounts.createToken(request.user.id, {
      kind: 'access',
      label: req.label ?? '',
      ttlMs: req.expiresInDays ? req.expiresInDays * DAY : null,
      scopes: req.scopes,
      madeBy: request.user.tokenId,
    });
    return reply.status(201).send(issued);
  });

  api.delete('/tokens/:id', async (request, reply) => {
    const user = request.user;
    await ctx.accounts.revokeToken(idParam(request), user.isAdmin ? undefined : user.id);
    return reply.status(204).send();
  });
}

/** Managing users and invites: admins' sign-in sessions. */
export function adminRoutes(api: FastifyInstance, ctx: ServerContext): void {
  api.post('/users', async (request, reply) => {
    const req = parse(CreateUserRequest, request.body);
    return reply.status(201).send(await ctx.accounts.createUser(req));
  });

  api.delete('/users/:id', async (request, reply) => {
    const target = await ctx.accounts.getUser(idParam(request));
    await ctx.accounts.deactivateUser(target.username);
    return reply.status(204).send();
  });

  api.post('/invites', async (request, reply) => {
    const req = parse(CreateInviteRequest, bodyObject(request));
    const invite = await ctx.accounts.createInvite(request.user.id, {
      uses: req.uses ?? 1,
      ttlMs: (req.expiresInDays ?? 7) * DAY,
    });
    const base = ctx.config.publicUrl?.replace(/\/$/, '');
    return reply
      .status(201)
      .send({ ...invite, url: base ? `${base}/?invite=${encodeURIComponent(invite.code)}` : null });
  });
}

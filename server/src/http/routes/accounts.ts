// REST routes for accounts: sign-in, the caller's own account, sessions and tokens, and admin work on
// users, invites and registration. Each function's routes are registered behind one access rule (see
// ./api.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  CreateInviteRequest,
  CreateTokenRequest,
  LoginRequest,
  Password,
  PasswordChangeRequest,
  RegisterRequest,
  ResetPasswordRequest,
  SetRegistrationRequest,
  SetupRequest,
  UpdateUserRequest,
  Username,
} from '@switchboard/protocol';
import type { ServerContext } from '../../context.ts';
import { codeLink } from '../../domain/oneTimeCodes.ts';
import { parse } from '../../errors.ts';
import { deviceLabel } from '../device.ts';
import { bodyObject, idParam } from './input.ts';

const CreateUserRequest = z.strictObject({
  username: Username,
  password: Password,
  isAdmin: z.boolean().optional(),
});

const DAY = 24 * 60 * 60 * 1000;

/** The device a sign-in is from: what the client calls itself, or what its User-Agent says. */
const deviceOf = (request: FastifyRequest, given: string | undefined): string =>
  given ?? deviceLabel(request.headers['user-agent']);

/** No token needed: how accounts are made, and signing in. */
export function signInRoutes(api: FastifyInstance, ctx: ServerContext): void {
  api.get('/auth/status', async (request) => {
    await ctx.rateLimits.consume(request.ip);
    return {
      setupRequired: (await ctx.accounts.countUsers()) === 0,
      registration: await ctx.registration.policy(),
      version: ctx.version,
    };
  });

  api.post('/auth/login', async (request) => {
    const { username, password, device } = parse(LoginRequest, request.body);
    return ctx.rateLimits.passwordCheck(request.ip, username, () =>
      ctx.accounts.login(username, password, deviceOf(request, device)),
    );
  });

  api.post('/auth/setup', async (request, reply) => {
    await ctx.rateLimits.consumeSignUp(request.ip);
    const req = parse(SetupRequest, request.body);
    const user = await ctx.accounts.completeSetup(req.setupCode, req.username, req.password);
    return reply.status(201).send(await ctx.accounts.startSession(user, deviceOf(request, req.device)));
  });

  api.post('/auth/register', async (request, reply) => {
    await ctx.rateLimits.consumeSignUp(request.ip);
    const req = parse(RegisterRequest, request.body);
    const user = await ctx.accounts.register(req);
    return reply.status(201).send(await ctx.accounts.startSession(user, deviceOf(request, req.device)));
  });

  /** A password reset link's code sets a new password and signs its holder in. */
  api.post('/auth/reset', async (request) => {
    await ctx.rateLimits.consumeSignUp(request.ip);
    const req = parse(ResetPasswordRequest, request.body);
    const user = await ctx.passwordResets.redeem(req.code, req.password);
    return ctx.accounts.startSession(user, deviceOf(request, req.device));
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
 * The caller's password, devices and tokens: sign-in sessions only, so a leaked access token can
 * neither take the account over nor mint or revoke tokens.
 */
export function ownAccountRoutes(api: FastifyInstance, ctx: ServerContext): void {
  api.post('/me/password', async (request, reply) => {
    const req = parse(PasswordChangeRequest, request.body);
    const { username, tokenId } = request.user;
    await ctx.rateLimits.passwordCheck(request.ip, username, () =>
      ctx.accounts.verifyPassword(username, req.currentPassword),
    );
    await ctx.accounts.setPassword(username, req.newPassword, {
      revokeAllTokens: req.revokeAllTokens,
      keepSession: tokenId,
    });
    return reply.status(204).send();
  });

  api.get('/me/sessions', async (request) => ({
    sessions: await ctx.accounts.sessions(request.user.id, request.user.tokenId),
  }));

  api.delete('/me/sessions/:id', async (request, reply) => {
    await ctx.accounts.endSession(request.user.id, idParam(request));
    return reply.status(204).send();
  });

  api.post('/me/sessions/end-others', async (request) => {
    bodyObject(request);
    return { ended: await ctx.accounts.endOtherSessions(request.user.id, request.user.tokenId) };
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

/** Managing users, invites and registration: admins' sign-in sessions. */
export function adminRoutes(api: FastifyInstance, ctx: ServerContext): void {
  api.get('/admin/users', async () => {
    const users = await ctx.accounts.listWithLastSeen();
    return { users: users.map((u) => ({ ...u, presence: ctx.presence.of(u.id) })) };
  });

  api.post('/users', async (request, reply) => {
    const req = parse(CreateUserRequest, request.body);
    return reply.status(201).send(await ctx.accounts.createUser(req));
  });

  api.patch('/users/:id', async (request) => {
    const id = idParam(request);
    return ctx.accounts.updateUser(id, parse(UpdateUserRequest, bodyObject(request)));
  });

  api.delete('/users/:id', async (request, reply) => {
    const target = await ctx.accounts.getUser(idParam(request));
    await ctx.accounts.deactivateUser(target.username);
    return reply.status(204).send();
  });

  api.post('/users/:id/password-reset', async (request, reply) => {
    const id = idParam(request);
    bodyObject(request);
    const reset = await ctx.passwordResets.issue(id, request.user.id);
    return reply.status(201).send({ ...reset, url: codeLink(ctx.config.publicUrl, 'reset', reset.code) });
  });

  api.get('/invites', async () => ({ invites: await ctx.invites.listOpen() }));

  api.post('/invites', async (request, reply) => {
    const req = parse(CreateInviteRequest, bodyObject(request));
    const invite = await ctx.invites.create(request.user.id, {
      uses: req.uses ?? 1,
      ttlMs: (req.expiresInDays ?? 7) * DAY,
    });
    return reply.status(201).send({ ...invite, url: codeLink(ctx.config.publicUrl, 'invite', invite.code) });
  });

  api.delete('/invites/:id', async (request, reply) => {
    await ctx.invites.revoke(idParam(request));
    return reply.status(204).send();
  });

  api.get('/registration', () => ctx.registration.current());

  api.put('/registration', (request) =>
    ctx.registration.set(parse(SetRegistrationRequest, bodyObject(request)).registration),
  );
}

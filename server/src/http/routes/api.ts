// REST API under /api/v1: sign-in and accounts, plus every chat action for bots and scripts.
// Routes only translate HTTP shapes; the work happens in ../../actions.ts and the domain.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  Id,
  LoginRequest,
  PasswordChangeRequest,
  RegisterRequest,
  SetupRequest,
  SwitchboardError,
  Username,
  Password,
} from '@switchboard/protocol';
import { runAction, type ActionName } from '../../actions.ts';
import type { ServerContext } from '../../context.ts';
import { parse } from '../../errors.ts';
import { requireUser } from '../auth.ts';

const IdParams = z.strictObject({ id: Id });
const querySeq = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const HistoryQuery = z.strictObject({
  after: querySeq.optional(),
  before: querySeq.optional(),
  limit: z.coerce.number().int().optional(),
});
const CreateTokenRequest = z.strictObject({
  label: z.string().max(200).optional(),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
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

export function registerApiRoutes(api: FastifyInstance, ctx: ServerContext): void {
  const params = (request: FastifyRequest) => parse(IdParams, request.params).id;
  const body = (request: FastifyRequest): Record<string, unknown> => {
    const b = request.body ?? {};
    if (typeof b !== 'object' || Array.isArray(b))
      throw new SwitchboardError('validation_failed', 'the body must be a JSON object');
    return b as Record<string, unknown>;
  };
  const act = async <N extends ActionName>(request: FastifyRequest, name: N, input: unknown) =>
    runAction(ctx, await requireUser(ctx, request), name, input);
  // Access tokens are for scripts: a leaked one must not mint more tokens or manage accounts.
  const requireSession = async (request: FastifyRequest) => {
    const user = await requireUser(ctx, request);
    if (user.tokenKind !== 'session') {
      throw new SwitchboardError('forbidden', 'access tokens cannot do this: sign in with a password');
    }
    return user;
  };
  const requireAdmin = async (request: FastifyRequest) => {
    const user = await requireSession(request);
    if (!user.isAdmin) throw new SwitchboardError('forbidden', 'only admins can do this');
    return user;
  };

  // --- accounts -----------------------------------------------------------------------------
  api.get('/auth/status', async (request) => {
    await ctx.rateLimits.consume(request.ip);
    return {
      setupRequired: (await ctx.accounts.countUsers()) === 0,
      registration: ctx.accounts.registration,
      version: ctx.version,
    };
  });

  api.post('/auth/login', async (request) => {
    await ctx.rateLimits.consumeLogin(request.ip);
    const { username, password } = parse(LoginRequest, request.body);
    return ctx.accounts.login(username, password);
  });

  api.post('/auth/setup', async (request, reply) => {
    await ctx.rateLimits.consumeLogin(request.ip);
    const req = parse(SetupRequest, request.body);
    await ctx.accounts.completeSetup(req.setupCode, req.username, req.password);
    return reply.status(201).send(await ctx.accounts.login(req.username, req.password));
  });

  api.post('/auth/register', async (request, reply) => {
    await ctx.rateLimits.consumeLogin(request.ip);
    const req = parse(RegisterRequest, request.body);
    await ctx.accounts.register(req);
    return reply.status(201).send(await ctx.accounts.login(req.username, req.password));
  });

  api.post('/auth/logout', async (request, reply) => {
    const user = await requireUser(ctx, request);
    await ctx.accounts.revokeToken(user.tokenId, user.id);
    return reply.status(204).send();
  });

  api.get('/me', async (request) => {
    const { tokenId: _tokenId, ...user } = await requireUser(ctx, request);
    return user;
  });

  api.post('/me/password', async (request, reply) => {
    const user = await requireUser(ctx, request);
    const req = parse(PasswordChangeRequest, request.body);
    await ctx.accounts.verifyPassword(user.username, req.currentPassword);
    await ctx.accounts.setPassword(user.username, req.newPassword);
    return reply.status(204).send();
  });

  api.get('/me/preferences', (request) => act(request, 'preferences.get', {}));
  api.put('/me/preferences', (request) => act(request, 'preferences.set', body(request)));

  api.get('/me/channels', async (request) => ({
    channels: await ctx.channels.summariesFor((await requireUser(ctx, request)).id),
  }));

  api.get('/tokens', async (request) => {
    const user = await requireUser(ctx, request);
    return { tokens: await ctx.accounts.listTokens(user.username) };
  });

  api.post('/tokens', async (request, reply) => {
    const user = await requireSession(request);
    const req = parse(CreateTokenRequest, body(request));
    const issued = await ctx.accounts.createToken(user.id, {
      kind: 'access',
      label: req.label ?? '',
      ttlMs: req.expiresInDays ? req.expiresInDays * DAY : null,
    });
    return reply.status(201).send(issued);
  });

  api.delete('/tokens/:id', async (request, reply) => {
    const user = await requireUser(ctx, request);
    await ctx.accounts.revokeToken(params(request), user.isAdmin ? undefined : user.id);
    return reply.status(204).send();
  });

  api.get('/users', async (request) => runAction(ctx, await requireUser(ctx, request), 'user.list', {}));

  api.post('/users', async (request, reply) => {
    await requireAdmin(request);
    const req = parse(CreateUserRequest, request.body);
    return reply.status(201).send(await ctx.accounts.createUser(req));
  });

  api.delete('/users/:id', async (request, reply) => {
    await requireAdmin(request);
    const target = await ctx.accounts.getUser(params(request));
    await ctx.accounts.deactivateUser(target.username);
    return reply.status(204).send();
  });

  api.post('/invites', async (request, reply) => {
    const admin = await requireAdmin(request);
    const req = parse(CreateInviteRequest, body(request));
    const invite = await ctx.accounts.createInvite(admin.id, {
      uses: req.uses ?? 1,
      ttlMs: (req.expiresInDays ?? 7) * DAY,
    });
    const base = ctx.config.publicUrl?.replace(/\/$/, '');
    return reply
      .status(201)
      .send({ ...invite, url: base ? `${base}/?invite=${encodeURIComponent(invite.code)}` : null });
  });

  // --- chat ---------------------------------------------------------------------------------
  api.get('/channels', (request) => act(request, 'channel.list', {}));

  api.post('/channels', async (request, reply) =>
    reply.status(201).send(await act(request, 'channel.create', request.body)),
  );

  api.get('/channels/:id', async (request) => {
    const user = await requireUser(ctx, request);
    const id = params(request);
    await ctx.channels.requireReadable(user, id);
    return (await ctx.channels.isMember(user.id, id))
      ? ctx.channels.summaryFor(user.id, id)
      : (await ctx.channels.listVisible(user)).find((c) => c.id === id);
  });

  api.get('/channels/:id/members', (request) =>
    act(request, 'channel.members', { channelId: params(request) }),
  );

  api.post('/channels/:id/join', (request) => act(request, 'channel.join', { channelId: params(request) }));
  api.post('/channels/:id/leave', (request) => act(request, 'channel.leave', { channelId: params(request) }));
  api.post('/channels/:id/members', (request) =>
    act(request, 'channel.invite', { ...body(request), channelId: params(request) }),
  );
  api.post('/channels/:id/read', (request) =>
    act(request, 'read.mark', { ...body(request), channelId: params(request) }),
  );

  api.get('/channels/:id/messages', async (request) => {
    const query = parse(HistoryQuery, request.query);
    return act(request, 'channel.history', { ...query, channelId: params(request) });
  });

  api.post('/channels/:id/messages', async (request, reply) => {
    const ack = await act(request, 'message.send', { ...body(request), channelId: params(request) });
    // A repeated clientId is not an error: the same message, and 200 instead of 201.
    return reply
      .status(ack.duplicate ? 200 : 201)
      .send({ ...ack.message, id: ack.id, seq: ack.seq, ts: ack.ts, duplicate: ack.duplicate });
  });

  api.patch('/messages/:id', (request) =>
    act(request, 'message.edit', { ...body(request), messageId: params(request) }),
  );
  api.delete('/messages/:id', (request) => act(request, 'message.delete', { messageId: params(request) }));

  api.post('/directs', async (request) => act(request, 'direct.open', request.body));
  api.post('/sync', (request) => act(request, 'sync', request.body));
}

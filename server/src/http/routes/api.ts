// The REST API under /api/v1, grouped by who may call it: authentication is applied once per group
// (./../auth.ts), so a route's group is its access rule.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.ts';
import { withAccess } from '../auth.ts';
import { adminRoutes, identityRoutes, ownAccountRoutes, signInRoutes } from './accounts.ts';
import { chatRoutes } from './chat.ts';
import { fileRoutes } from './files.ts';

export async function registerApiRoutes(api: FastifyInstance, ctx: ServerContext): Promise<void> {
  signInRoutes(api, ctx);
  await withAccess(api, ctx, 'token', (group) => identityRoutes(group, ctx));
  await withAccess(api, ctx, 'chat', (group) => {
    chatRoutes(group, ctx);
    fileRoutes(group, ctx);
  });
  await withAccess(api, ctx, 'session', (group) => ownAccountRoutes(group, ctx));
  await withAccess(api, ctx, 'admin', (group) => adminRoutes(group, ctx));
}

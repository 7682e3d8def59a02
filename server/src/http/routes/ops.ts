// Health and metrics for operators and orchestrators.
import { createHash, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { SwitchboardError } from '@switchboard/protocol';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.ts';

export function registerOpsRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/healthz', async (_request, reply) => {
    const unhealthy = (message: string) =>
      reply.status(503).send({ status: 'error', error: { code: 'unavailable', message } });
    try {
      await sql`select 1`.execute(ctx.db);
    } catch (err) {
      ctx.logger.error({ err }, 'health check: database unreachable');
      return unhealthy('database unreachable');
    }
    // A node cut off from Redis cannot pass events to the others' clients: take it out of rotation.
    if (!ctx.cluster.healthy()) return unhealthy('redis unreachable');
    return { status: 'ok', version: ctx.version };
  });

  app.get('/metrics', async (request, reply) => {
    const expected = ctx.config.metricsToken;
    if (expected !== undefined && !sameSecret(request.headers.authorization, `Bearer ${expected}`)) {
      throw new SwitchboardError(
        'unauthorized',
        'send Authorization: Bearer <metricsToken> (a server setting)',
      );
    }
    void reply.header('Content-Type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}

/** Compares without leaking, through timing, how much of a guess was right. */
function sameSecret(given: string | undefined, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return given !== undefined && timingSafeEqual(digest(given), digest(expected));
}

// Health and metrics for operators and orchestrators.
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.ts';

export function registerOpsRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/healthz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(ctx.db);
      return { status: 'ok', version: ctx.version };
    } catch (err) {
      ctx.logger.error({ err }, 'health check: database unreachable');
      return reply
        .status(503)
        .send({ status: 'error', error: { code: 'unavailable', message: 'database unreachable' } });
    }
  });

  app.get('/metrics', async (_request, reply) => {
    void reply.header('Content-Type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}

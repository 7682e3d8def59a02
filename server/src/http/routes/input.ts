// Reading the parts of a REST request that routes share: the `:id` path parameter and a JSON object body.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Id, SwitchboardError } from '@switchboard/protocol';
import { parse } from '../../errors.ts';

const IdParams = z.strictObject({ id: Id });

export function idParam(request: FastifyRequest): string {
  return parse(IdParams, request.params).id;
}

/** The body as an object whose fields a schema checks next; no body is an empty object. */
export function bodyObject(request: FastifyRequest): Record<string, unknown> {
  const body = request.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw new SwitchboardError('validation_failed', 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

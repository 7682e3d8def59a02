// Calls over the server's REST API: those that happen before there is a socket (sign-in, first-admin
// setup, status), and account management, which the server allows sign-in sessions only.
import type { z } from 'zod';
import { SwitchboardError } from '@switchboard/protocol';
import { fromErrorBody } from './errors.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A server address as the session keeps it: scheme, host and port. */
export function normalizeServerUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SwitchboardError('validation_failed', 'the server address must start with http:// or https://');
  }
  return url.origin;
}

export async function restCall<T>(
  serverUrl: string,
  method: HttpMethod,
  path: string,
  options: { json?: unknown; token?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(`${serverUrl}${path}`, {
      method,
      headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
    });
  } catch {
    throw new SwitchboardError('unavailable', `cannot reach the server at ${serverUrl}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new SwitchboardError(
      'unavailable',
      `${serverUrl} did not answer like a Switchboard server (HTTP ${response.status})`,
    );
  }
  if (response.ok) return body as T;
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (error) throw fromErrorBody({ code: error.code, message: error.message });
  throw new SwitchboardError(
    response.status >= 500 ? 'unavailable' : 'bad_request',
    `the server answered HTTP ${response.status}`,
  );
}

/** Parses a REST answer; a server that answers otherwise is not one this app can talk to. */
export function parseAnswer<S extends z.ZodType>(schema: S, answer: unknown): z.output<S> {
  const parsed = schema.safeParse(answer);
  if (!parsed.success)
    throw new SwitchboardError('unavailable', 'the server sent an answer this app does not understand');
  return parsed.data;
}

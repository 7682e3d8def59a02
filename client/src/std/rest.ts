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

export interface RestOptions {
  json?: unknown;
  /** A multipart body (an upload) instead of JSON. */
  form?: FormData;
  token?: string;
  signal?: AbortSignal;
}

async function send(
  serverUrl: string,
  method: string,
  path: string,
  options: RestOptions,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const body = options.form ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
  try {
    return await fetch(`${serverUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch {
    if (options.signal?.aborted) throw new SwitchboardError('bad_request', 'cancelled');
    throw new SwitchboardError('unavailable', `cannot reach the server at ${serverUrl}`);
  }
}

/** The bytes of a response that succeeded, and their type; an error answer throws its error. */
export async function restBytes(
  serverUrl: string,
  path: string,
  options: RestOptions = {},
): Promise<{ bytes: ArrayBuffer; mime: string }> {
  const response = await send(serverUrl, 'GET', path, options);
  if (!response.ok) return fail(serverUrl, response);
  return {
    bytes: await response.arrayBuffer(),
    mime: response.headers.get('content-type') ?? 'application/octet-stream',
  };
}

export async function restCall<T>(
  serverUrl: string,
  method: HttpMethod,
  path: string,
  options: RestOptions = {},
): Promise<T> {
  const response = await send(serverUrl, method, path, options);
  if (!response.ok) return fail(serverUrl, response);
  return (await readJson(serverUrl, response)) as T;
}

async function readJson(serverUrl: string, response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    throw new SwitchboardError(
      'unavailable',
      `${serverUrl} did not answer like a Switchboard server (HTTP ${response.status})`,
    );
  }
}

/** Throws the error a failed response carries. */
async function fail(serverUrl: string, response: Response): Promise<never> {
  const body = await readJson(serverUrl, response);
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

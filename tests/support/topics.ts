// Helpers for tests of the publish API in ntfy's dialect (server/src/http/ntfy.test.ts, tests/cluster).
import { createUser, type TestServer } from './server.ts';

/** A user with an access token of `scopes`. */
export async function withToken(
  server: TestServer,
  name: string,
  scopes: ('chat' | 'publish')[] = ['publish'],
) {
  const { user, password } = await createUser(server, name);
  const { token } = await server.ctx.accounts.createToken(user.id, { kind: 'access', scopes });
  return { user, password, token, bearer: { authorization: `Bearer ${token}` } };
}

/** A live subscription's lines, read as they come. */
export async function subscribe(url: string, path: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(`${url}${path}`, { headers, signal: controller.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const lines: string[] = [];
  return {
    res,
    lines,
    /** Reads until `count` lines have arrived (in all), and returns them. */
    async until(count: number): Promise<string[]> {
      while (lines.length < count) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended after ${lines.length} lines: ${JSON.stringify(lines)}`);
        buffer += value;
        const parts = buffer.split('\n');
        buffer = parts.pop()!;
        lines.push(...parts);
      }
      return lines.slice(0, count);
    },
    close: () => controller.abort(),
  };
}

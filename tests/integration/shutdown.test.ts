// The built server in a child process: what it prints at start, and SIGTERM with a client mid-stream.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message, Result, SendAck } from '@switchboard/protocol';
import {
  api,
  call,
  connect,
  nextEvent,
  REPO_ROOT,
  spawnServer,
  tempDir,
  type ServerProcess,
} from '../support/server.ts';

const ADMIN = { username: 'admin', password: 'admin-long-password' };

/** Output arrives in chunks after the line spawnServer waits for: wait for the rest, bounded. */
function waitForOutput(server: ServerProcess, pattern: RegExp, timeoutMs = 5_000): Promise<RegExpExecArray> {
  return vi.waitFor(
    () => {
      const match = pattern.exec(server.output());
      if (!match) throw new Error(`the output never matched ${pattern}:\n${server.output()}`);
      return match;
    },
    { timeout: timeoutMs },
  );
}

describe('starting and stopping the built server', () => {
  const started: ServerProcess[] = [];
  const start = async (dataDir: string) => {
    const server = await spawnServer(['--port', '0', '--data-dir', dataDir]);
    started.push(server);
    return server;
  };
  // A failed assertion must not leave a server running.
  afterEach(() => {
    for (const server of started.splice(0)) if (server.child.exitCode === null) server.child.kill('SIGKILL');
  });

  it('prints where it listens, the data dir and first-admin help; stops gracefully on SIGTERM; keeps every acked send', async () => {
    const dataDir = tempDir();
    const first = await start(dataDir);
    // The first-admin help is the last thing printed at start.
    const setupCode = (await waitForOutput(first, /one-time setup code:\s*\n\s*(\S+)\n/))[1];
    const banner = first.output();

    const listening = /^Switchboard server listening on http:\/\/127\.0\.0\.1:(\d+)$/m.exec(banner);
    expect(listening).not.toBeNull();
    const port = Number(listening![1]);
    expect(port).toBeGreaterThan(0);
    expect(first.url).toBe(`http://127.0.0.1:${port}`);
    expect(banner).toContain(`Data directory: ${dataDir} `);
    expect(fs.existsSync(path.join(dataDir, 'switchboard.db'))).toBe(true);
    expect(banner).toContain('No users yet');
    expect(banner).toContain(`user add admin --admin --password-stdin --data-dir ${dataDir}`);

    const health = await api(first.url, 'GET', '/healthz');
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
    const page = await fetch(`${first.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(fs.readFileSync(path.join(REPO_ROOT, 'server/web/index.html'), 'utf8'));

    // The printed setup code creates the first admin, as the banner says.
    const setup = await api(first.url, 'POST', '/api/v1/auth/setup', { json: { setupCode, ...ADMIN } });
    expect(setup.status).toBe(201);
    const channel = await api(first.url, 'POST', '/api/v1/channels', {
      token: setup.body.token,
      json: { name: 'restart', visibility: 'public' },
    });
    expect(channel.status).toBe(201);
    const channelId = channel.body.id as string;

    const { socket } = await connect(first.url, setup.body.token);
    // 'no ack' is a send lost with the connection: a real client would resend it after reconnecting.
    const send = (clientId: string): Promise<Result<SendAck> | 'no ack'> =>
      call<SendAck>(socket, 'message.send', { channelId, clientId, text: `text of ${clientId}` }).catch(
        () => 'no ack' as const,
      );
    const acked = new Map<string, Message>();
    for (let i = 0; i < 10; i++) {
      const result = await send(`acked-first-${i}`);
      if (result === 'no ack' || !result.ok)
        throw new Error(`send failed before shutdown: ${JSON.stringify(result)}`);
      acked.set(result.data.message.clientId, result.data.message);
    }

    // A burst of sends is on the wire when SIGTERM lands: whatever is acked must survive the restart.
    const shutdown = nextEvent<{ reconnectAfterMs: number }>(socket, 'server.shutdown', () => true, 10_000);
    const disconnected = new Promise((resolve) => socket.once('disconnect', resolve));
    const burst = Array.from({ length: 30 }, (_, i) => send(`in-flight-${i}`));
    first.child.kill('SIGTERM');

    const { reconnectAfterMs } = await shutdown;
    expect(reconnectAfterMs).toBeGreaterThanOrEqual(0);
    expect(reconnectAfterMs).toBeLessThan(5_000);
    for (const result of await Promise.all(burst)) {
      if (result === 'no ack') continue;
      if (result.ok) acked.set(result.data.message.clientId, result.data.message);
      else expect(result.error.code).toBe('unavailable');
    }
    await disconnected;
    expect(await first.exited).toEqual({ code: 0, signal: null });
    await waitForOutput(first, /SIGTERM received: stopping.*\n(.*\n)*Switchboard server stopped\n$/);

    const second = await start(dataDir);
    const { token } = (await api(second.url, 'POST', '/api/v1/auth/login', { json: ADMIN })).body;
    const history = await api(second.url, 'GET', `/api/v1/channels/${channelId}/messages?after=0&limit=200`, {
      token,
    });
    expect(history.status).toBe(200);
    // The banner was printed before the server answered anything, so by now all of it has arrived.
    expect(second.output()).toContain(`Data directory: ${dataDir} `);
    expect(second.output()).not.toContain('No users yet');
    expect(second.output()).not.toContain('setup code');
    const stored = history.body.messages as Message[];
    expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
    expect(new Set(stored.map((m) => m.clientId)).size).toBe(stored.length);
    const byClientId = new Map(stored.map((m) => [m.clientId, m]));
    for (const [clientId, message] of acked) {
      expect(byClientId.get(clientId), clientId).toMatchObject({
        id: message.id,
        seq: message.seq,
        text: `text of ${clientId}`,
      });
    }
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });
});

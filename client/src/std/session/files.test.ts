// Files through the session core against a real server, the way a UI uses them: the bytes cross a
// real MessagePort in chunks (ArrayBuffers), the core uploads them, a message takes the file, and
// the bytes come back; an upload can be cancelled, and the core holds it to what it announced.
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FileInfo } from '@switchboard/protocol';
import { createUser, tempDir } from '../../../../tests/support/server.ts';
import {
  onCleanup,
  runCleanups,
  sharedChannel,
  signInOnline,
  startServer,
  WAIT,
} from '../../../../tests/support/session.ts';
import { createNodeSession } from '../../node/index.ts';
import { UPLOAD_CHUNK_BYTES, type SessionEvents } from '../contract.ts';
import { serveSession, SessionClient } from '../port.ts';

afterEach(runCleanups);

async function setUp() {
  const server = await startServer();
  const alice = await createUser(server, 'alice');
  const bob = await createUser(server, 'bob');
  const channelId = await sharedChannel(server, alice, [bob]);
  const core = await createNodeSession({ dataDir: tempDir('switchboard-client-'), serverUrl: server.url });
  onCleanup(() => core.close());
  await signInOnline(core, alice);
  await vi.waitFor(
    async () =>
      expect((await core.request('getSnapshot', {})).channels.map((c) => c.id)).toContain(channelId),
    WAIT,
  );
  // The UI's side: a SessionClient over a real port, as in a Worker or a utility process.
  const { port1, port2 } = new MessageChannel();
  const detach = serveSession(core, port1);
  const ui = new SessionClient(port2);
  onCleanup(() => {
    ui.close();
    detach();
    port1.close();
    port2.close();
  });
  const progress: SessionEvents['upload'][] = [];
  ui.on('upload', (event) => progress.push(event));
  return { server, bob, channelId, core, ui, progress };
}

/** Sends `bytes` in chunks the way the UI does, each after the previous one was taken. */
async function sendChunks(ui: SessionClient, uploadId: string, bytes: Uint8Array) {
  for (let at = 0; at < bytes.length; at += UPLOAD_CHUNK_BYTES) {
    const chunk = bytes.slice(at, at + UPLOAD_CHUNK_BYTES);
    await ui.request('uploadChunk', { uploadId, bytes: chunk.buffer });
  }
}

describe('files through the session core', () => {
  it('uploads in chunks over the port, sends the file with a message and gives its bytes back', async () => {
    const { server, bob, channelId, ui, progress } = await setUp();
    const bytes = new Uint8Array(UPLOAD_CHUNK_BYTES * 2 + 5).map((_, i) => i % 251);
    const { uploadId } = await ui.request('uploadStart', {
      channelId,
      name: 'data.bin',
      size: bytes.length,
      mime: 'application/octet-stream',
    });
    await sendChunks(ui, uploadId, bytes);
    const file: FileInfo = await ui.request('uploadFinish', { uploadId });
    expect(file).toMatchObject({ name: 'data.bin', size: bytes.length, mime: 'application/octet-stream' });
    await vi.waitFor(() => expect(progress.at(-1)).toMatchObject({ uploadId, state: 'done' }), WAIT);
    expect(progress.map((p) => p.state)).toContain('sending');
    expect(progress.filter((p) => p.state === 'reading').map((p) => p.received)).toEqual([
      0,
      UPLOAD_CHUNK_BYTES,
      UPLOAD_CHUNK_BYTES * 2,
      bytes.length,
    ]);

    await ui.request('send', { channelId, text: '', files: [file] });
    await vi.waitFor(async () => {
      const res = await fetch(`${server.url}/api/v1/channels/${channelId}/messages`, {
        headers: { authorization: `Bearer ${bob.token}` },
      });
      const { messages } = (await res.json()) as { messages: { files: FileInfo[] }[] };
      expect(messages.at(-1)?.files).toEqual([file]);
    }, WAIT);
    const back = await ui.request('fileBytes', { fileId: file.id });
    expect(new Uint8Array(back.bytes)).toEqual(bytes);
    expect(back.mime).toBe('application/octet-stream');
  });

  it('a cancelled upload stops and stores nothing; more bytes than announced are refused', async () => {
    const { server, channelId, ui, progress } = await setUp();
    const { uploadId } = await ui.request('uploadStart', { channelId, name: 'x', size: 10, mime: '' });
    await ui.request('uploadChunk', { uploadId, bytes: new Uint8Array(4).buffer });
    await ui.request('uploadCancel', { uploadId });
    expect(progress.at(-1)).toMatchObject({ uploadId, state: 'cancelled' });
    await expect(
      ui.request('uploadChunk', { uploadId, bytes: new Uint8Array(4).buffer }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });

    const second = await ui.request('uploadStart', { channelId, name: 'y', size: 3, mime: '' });
    await expect(
      ui.request('uploadChunk', { uploadId: second.uploadId, bytes: new Uint8Array(4).buffer }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(
      ui.request('uploadChunk', { uploadId: 'u1', bytes: 'not bytes' as unknown as ArrayBuffer }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    // A file larger than the server takes is refused before any byte moves.
    await expect(
      ui.request('uploadStart', { channelId, name: 'big', size: 26 * 1024 * 1024, mime: '' }),
    ).rejects.toMatchObject({ code: 'payload_too_large' });
    expect(await server.ctx.db.selectFrom('files').selectAll().execute()).toEqual([]);
  });
});

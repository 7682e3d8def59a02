// Files against a real server, real SQLite and a real data directory: uploads, who may read them,
// attaching to messages (thread replies too) over both transports, the size limit and quota, how a
// download is served so it cannot run, the bytes leaving with the message (delete, retention, the
// sweeper), and archived channels taking none.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  newId,
  type FileInfo,
  type Message,
  type MessageStreamEvent,
  type SearchPage,
  type SendAck,
  type ThreadPage,
} from '@switchboard/protocol';
import {
  api,
  createChannelWith,
  createConnectedUser,
  login,
  nextEvent,
  startTestServer,
  TEST_DATABASE,
  tempDir,
  type ConnectedUser,
  type TestServer,
  type Transport,
} from '../../../tests/support/server.ts';
import { manualClock } from '../../../tests/support/clock.ts';
import { useTestServer } from '../../../tests/support/lifecycle.ts';
import { backupDatabase, backupFiles, restoreDatabase } from '../store/backup.ts';

const { server, ok, errorCode, send, aliceAndBob } = useTestServer();

/** The smallest PNG header image-size reads: signature, then an IHDR chunk with width and height. */
function png(width: number, height: number, extra = 0): Uint8Array {
  const bytes = new Uint8Array(33 + extra);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(bytes.buffer).setUint32(16, width);
  new DataView(bytes.buffer).setUint32(20, height);
  bytes.set([8, 6, 0, 0, 0], 24);
  return bytes;
}

async function upload(
  on: TestServer,
  who: ConnectedUser,
  channelId: string,
  bytes: Uint8Array | string,
  name = 'file.bin',
  type = 'application/octet-stream',
) {
  const form = new FormData();
  form.append('file', new Blob([bytes as BlobPart], { type }), name);
  const res = await fetch(`${on.url}/api/v1/channels/${channelId}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${who.token}` },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as { file: FileInfo; error: { code: string } } };
}

const download = (on: TestServer, who: ConnectedUser, fileId: string) =>
  fetch(`${on.url}/api/v1/files/${fileId}`, { headers: { authorization: `Bearer ${who.token}` } });

const blobPath = (on: TestServer, bytes: Uint8Array | string) => {
  const sha = createHash('sha256').update(bytes).digest('hex');
  return path.join(on.dataDir, 'files', sha.slice(0, 2), sha);
};

describe.each<Transport>(['rest', 'socket'])('files over %s', (via) => {
  it('an image is stored privately, sent with a message, shown to members and 404 to others', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const eve = await createConnectedUser(server, 'eve');
    const secret = await createChannelWith(server, via, alice, [bob], 'private');
    const image = png(640, 480, via.length);
    const up = await upload(server, alice, secret.id, image, '../../cat.png', 'image/png');
    expect(up.status).toBe(201);
    expect(up.body.file).toEqual({
      id: expect.any(String),
      name: 'cat.png',
      size: image.length,
      mime: 'image/png',
      width: 640,
      height: 480,
    });
    const stored = blobPath(server, image);
    expect(fs.statSync(stored).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(stored)).mode & 0o777).toBe(0o700);
    // Unattached, it is the uploader's alone.
    expect((await download(server, bob, up.body.file.id)).status).toBe(404);

    const live = nextEvent<MessageStreamEvent>(bob.socket, 'stream.event', (e) => e.channelId === secret.id);
    const ack = await send(via, alice, secret.id, '', { fileIds: [up.body.file.id] });
    expect(ack.message.files).toEqual([up.body.file]);
    expect((await live).message.files).toEqual([up.body.file]);
    const history = await ok<{ messages: Message[] }>(via, bob, 'channel.history', { channelId: secret.id });
    expect(history.messages.at(-1)!.files).toEqual([up.body.file]);

    const res = await download(server, bob, up.body.file.id);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(image);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="cat.png"/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect((await download(server, eve, up.body.file.id)).status).toBe(404);
  });

  it('a message keeps its files in the order the sender listed them, for everyone and every read', async () => {
    const { alice, bob, channel } = await aliceAndBob(via);
    // Uploaded in the opposite order to the one chosen (as when a later, smaller file finishes first),
    // and not in name order either.
    const pic = await upload(server, alice, channel.id, png(8, 8), 'pic.png', 'image/png');
    const notes = await upload(server, alice, channel.id, `notes ${via}`, 'notes.txt', 'text/plain');
    const zed = await upload(server, alice, channel.id, `zed ${via}`, 'zed.txt', 'text/plain');
    const chosen = [notes.body.file, zed.body.file, pic.body.file];
    const names = (files: FileInfo[]) => files.map((f) => f.name);

    const live = nextEvent<MessageStreamEvent>(bob.socket, 'stream.event', (e) => e.channelId === channel.id);
    const ack = await send(via, alice, channel.id, `ordered ${via}`, { fileIds: chosen.map((f) => f.id) });
    expect(names(ack.message.files)).toEqual(['notes.txt', 'zed.txt', 'pic.png']);
    expect((await live).message.files).toEqual(chosen);
    const history = await ok<{ messages: Message[] }>(via, bob, 'channel.history', { channelId: channel.id });
    expect(history.messages.find((m) => m.id === ack.id)!.files).toEqual(chosen);
    const rest = await api<{ messages: Message[] }>(
      server.url,
      'GET',
      `/api/v1/channels/${channel.id}/messages`,
      { token: bob.token },
    );
    expect(rest.body.messages.find((m) => m.id === ack.id)!.files).toEqual(chosen);
    const found = await ok<SearchPage>(via, bob, 'search', { q: `ordered ${via} has:file` });
    expect(found.results.map((r) => names(r.message.files))).toEqual([['notes.txt', 'zed.txt', 'pic.png']]);
    // A retried send (same clientId) answers with the stored copy: the same order.
    const again = await ok<SendAck>(via, alice, 'message.send', {
      channelId: channel.id,
      clientId: ack.message.clientId,
      text: `ordered ${via}`,
      fileIds: chosen.map((f) => f.id),
    });
    expect(again).toMatchObject({ duplicate: true, message: { files: chosen } });
  });

  it('has:file finds the messages that carry files', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await createChannelWith(server, via, alice);
    const up = await upload(server, alice, channel.id, `minutes ${via}`, 'minutes.txt', 'text/plain');
    await send(via, alice, channel.id, `ocelot minutes ${via}`, { fileIds: [up.body.file.id] });
    await send(via, alice, channel.id, `ocelot no file ${via}`, { fileIds: [] });
    const found = await ok<SearchPage>(via, alice, 'search', { q: `ocelot ${via} has:file` });
    expect(found.results.map((r) => r.message.text)).toEqual([`ocelot minutes ${via}`]);
    expect(found.results[0]!.message.files).toEqual([up.body.file]);
    const only = await ok<SearchPage>(via, alice, 'search', { q: 'has:file', channel: channel.id });
    expect(only.results).toHaveLength(1);
  });

  it('only the uploader attaches an unattached file, and only in its own channel', async () => {
    const { alice, bob, channel: first } = await aliceAndBob(via);
    const second = await createChannelWith(server, via, alice, [bob]);
    const up = await upload(server, alice, first.id, `notes ${via}`, 'notes.txt', 'text/plain');
    expect(up.body.file.mime).toBe('text/plain');
    const attach = (who: ConnectedUser, channelId: string, fileIds: string[], text = 'see file') =>
      errorCode(via, who, 'message.send', { channelId, clientId: newId(), text, fileIds });
    expect(await attach(bob, first.id, [up.body.file.id])).toBe('not_found');
    expect(await attach(alice, second.id, [up.body.file.id])).toBe('not_found');
    expect(await attach(alice, first.id, [up.body.file.id, up.body.file.id])).toBe('validation_failed');
    expect(await attach(alice, first.id, [], ' ')).toBe('validation_failed');
    await send(via, alice, first.id, 'here', { fileIds: [up.body.file.id] });
    // Attached once: it belongs to that message now.
    expect(await attach(alice, first.id, [up.body.file.id])).toBe('not_found');
  });

  it('deleting the message deletes its file; bytes shared with another upload stay for it', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await createChannelWith(server, via, alice);
    const bytes = `shared content ${via}`;
    const one = await upload(server, alice, channel.id, bytes);
    const two = await upload(server, alice, channel.id, bytes);
    const first = await send(via, alice, channel.id, 'one', { fileIds: [one.body.file.id] });
    await send(via, alice, channel.id, 'two', { fileIds: [two.body.file.id] });
    const deleted = await ok<Message>(via, alice, 'message.delete', { messageId: first.id });
    expect(deleted.files).toEqual([]);
    expect((await download(server, alice, one.body.file.id)).status).toBe(404);
    expect(fs.existsSync(blobPath(server, bytes))).toBe(true);
    expect((await download(server, alice, two.body.file.id)).status).toBe(200);
  });

  it('a thread reply carries files: its thread and search show them, and deleting it removes them', async () => {
    const { alice, bob, channel } = await aliceAndBob(via);
    const root = await send(via, alice, channel.id, 'Nightly build', { fileIds: [] });
    const bytes = `build log ${via}`;
    const up = await upload(server, bob, channel.id, bytes, 'build.log', 'text/plain');
    const reply = await ok<SendAck>(via, bob, 'message.send', {
      channelId: channel.id,
      clientId: newId(),
      text: `zephyr log attached ${via}`,
      fileIds: [up.body.file.id],
      parentId: root.id,
    });
    expect(reply.message).toMatchObject({ parentId: root.id, files: [up.body.file] });

    const thread = () => ok<ThreadPage>(via, alice, 'message.thread', { messageId: root.id });
    const before = await thread();
    expect(before.root.replyCount).toBe(1);
    expect(before.replies.map((m) => m.files)).toEqual([[up.body.file]]);
    const found = await ok<SearchPage>(via, alice, 'search', { q: `zephyr ${via} has:file` });
    expect(found.results.map((r) => [r.message.id, r.message.parentId, r.message.files])).toEqual([
      [reply.id, root.id, [up.body.file]],
    ]);
    expect((await download(server, alice, up.body.file.id)).status).toBe(200);

    const deleted = await ok<Message>(via, bob, 'message.delete', { messageId: reply.id });
    expect(deleted).toMatchObject({ parentId: root.id, files: [] });
    expect((await download(server, alice, up.body.file.id)).status).toBe(404);
    expect(fs.existsSync(blobPath(server, bytes))).toBe(false);
    const after = await thread();
    expect(after.root).toMatchObject({ replyCount: 0, replierIds: [] });
    expect(after.replies.map((m) => [m.deletedAt !== null, m.files])).toEqual([[true, []]]);
  });
});

describe('file uploads', () => {
  it('25 MiB is the default limit: one byte more is 413 and leaves nothing behind', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await createChannelWith(server, 'rest', alice);
    const limit = 25 * 1024 * 1024;
    const over = await upload(server, alice, channel.id, new Uint8Array(limit + 1));
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe('payload_too_large');
    expect(fs.readdirSync(path.join(server.dataDir, 'files', 'tmp'))).toEqual([]);
    const at = await upload(server, alice, channel.id, new Uint8Array(limit).fill(7));
    expect(at.status).toBe(201);
    expect(at.body.file.size).toBe(limit);
  });

  it('an HTML or SVG upload is served so that it cannot run', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await createChannelWith(server, 'rest', alice);
    const html = await upload(server, alice, channel.id, '<script>alert(1)</script>', 'x.html', 'text/html');
    const svg = await upload(
      server,
      alice,
      channel.id,
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
      'x.svg',
      'image/svg+xml',
    );
    // A file claiming to be an image that is none is not served as one.
    const fake = await upload(server, alice, channel.id, '<html>', 'fake.png', 'image/png');
    expect(fake.body.file.mime).toBe('application/octet-stream');
    await send('rest', alice, channel.id, 'files', {
      fileIds: [html.body.file.id, svg.body.file.id, fake.body.file.id],
    });
    for (const [file, type] of [
      [html.body.file, 'text/html'],
      [svg.body.file, 'image/svg+xml'],
      [fake.body.file, 'application/octet-stream'],
    ] as const) {
      const res = await download(server, alice, file.id);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; /);
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('refuses what is not one multipart file, and a file of a channel one is not in', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const bob = await createConnectedUser(server, 'bob');
    const channel = await createChannelWith(server, 'rest', alice);
    const json = await api(server.url, 'POST', `/api/v1/channels/${channel.id}/files`, {
      token: alice.token,
      json: { file: 'x' },
    });
    expect(json.status).toBe(400);
    // Malformed, and broken off in the middle of the file: 400, and nothing is kept.
    for (const raw of [
      '{"file":"x"}',
      '--x\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nhalf',
    ]) {
      const res = await api(server.url, 'POST', `/api/v1/channels/${channel.id}/files`, {
        token: alice.token,
        raw,
        contentType: 'multipart/form-data; boundary=x',
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
    }
    expect(fs.readdirSync(path.join(server.dataDir, 'files', 'tmp'))).toEqual([]);
    expect((await upload(server, bob, channel.id, 'x')).status).toBe(403);
    expect((await download(server, alice, 'no-such-file')).status).toBe(404);
  });

  it('an archived channel takes no upload, and no message takes an earlier one there', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await createChannelWith(server, 'rest', alice);
    const early = await upload(server, alice, channel.id, 'before archiving', 'early.txt', 'text/plain');
    expect(early.status).toBe(201);
    await ok('rest', alice, 'channel.update', { channelId: channel.id, archived: true });

    const late = await upload(server, alice, channel.id, 'after archiving', 'late.txt', 'text/plain');
    expect(late.status).toBe(403);
    expect(late.body.error.code).toBe('forbidden');
    expect(fs.existsSync(blobPath(server, 'after archiving'))).toBe(false);
    expect(
      await errorCode('socket', alice, 'message.send', {
        channelId: channel.id,
        clientId: newId(),
        text: 'late',
        fileIds: [early.body.file.id],
      }),
    ).toBe('forbidden');
    // Still the uploader's unattached file: the sweeper takes it after its grace period.
    expect((await download(server, alice, early.body.file.id)).status).toBe(200);
  });
});

// The backup command copies a SQLite database; on PostgreSQL it refuses and points to pg_dump
// (tests/cluster/backup.test.ts).
describe.runIf(TEST_DATABASE === 'sqlite')('backups of a SQLite database', () => {
  it('copy the files the database copy refers to beside it, and forget one deleted meanwhile', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await createChannelWith(server, 'rest', alice);
    const kept = await upload(server, alice, channel.id, 'backed-up bytes');
    const lost = await upload(server, alice, channel.id, 'deleted during the backup');
    await send('rest', alice, channel.id, 'files', { fileIds: [kept.body.file.id, lost.body.file.id] });
    const file = path.join(tempDir(), 'backup.db');
    await backupDatabase({ dataDir: server.dataDir, durability: 'standard' }, file);
    // As if the message's other file went between the snapshot and the copy of the files.
    fs.rmSync(blobPath(server, 'deleted during the backup'));
    const referred = await countShas(file);
    expect(backupFiles(server.dataDir, file)).toMatchObject({ files: referred - 1 });
    const copy = blobPath({ dataDir: `${file}.files` } as TestServer, 'backed-up bytes');
    expect(fs.readFileSync(copy, 'utf8')).toBe('backed-up bytes');
    expect(fs.statSync(copy).mode & 0o777).toBe(0o600);
    const db = new SQLite(file, { readonly: true });
    const ids = db.prepare('select id from files').pluck().all();
    db.close();
    expect(ids).toContain(kept.body.file.id);
    expect(ids).not.toContain(lost.body.file.id);
    expect(() => backupFiles(server.dataDir, file)).toThrow(/exists/);
  });

  it('restore the files with the database: a new data directory serves them again', async () => {
    const rita = await createConnectedUser(server, 'rita');
    const channel = await createChannelWith(server, 'rest', rita);
    const kept = await upload(server, rita, channel.id, 'restored bytes');
    await send('rest', rita, channel.id, 'a file', { fileIds: [kept.body.file.id] });
    const file = path.join(tempDir(), 'backup.db');
    await backupDatabase({ dataDir: server.dataDir, durability: 'standard' }, file);
    backupFiles(server.dataDir, file);

    const dataDir = tempDir();
    const restored = await restoreDatabase({ dataDir, durability: 'standard' }, file);
    expect(restored).toMatchObject({ previous: null, files: await countShas(file) });
    const again = await startTestServer({ dataDir });
    try {
      const token = (await login(again.url, rita.user.username, rita.password)).body.token as string;
      const res = await download(again, { ...rita, token }, kept.body.file.id);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('restored bytes');
    } finally {
      await again.close();
    }
  });
});

async function countShas(file: string): Promise<number> {
  const db = new SQLite(file, { readonly: true });
  const n = (db.prepare('select count(distinct sha256) from files').pluck().get() as number) ?? 0;
  db.close();
  return n;
}

describe('file quota, retention and the sweeper', () => {
  it('a user past their quota gets 413 and nothing is stored', async () => {
    const own = await startTestServer({ fileQuotaBytes: 1000 });
    try {
      const alice = await createConnectedUser(own, 'alice');
      const channel = await createChannelWith(own, 'rest', alice);
      expect((await upload(own, alice, channel.id, new Uint8Array(600).fill(1))).status).toBe(201);
      const over = await upload(own, alice, channel.id, new Uint8Array(600).fill(2));
      expect(over.status).toBe(413);
      expect(fs.existsSync(blobPath(own, new Uint8Array(600).fill(2)))).toBe(false);
      expect(await own.ctx.db.selectFrom('files').selectAll().execute()).toHaveLength(1);
    } finally {
      await own.close();
    }
  });

  it('retention removes files with their messages; uploads never attached go after the grace period', async () => {
    const clock = manualClock(Date.now());
    const own = await startTestServer({ fileOrphanHours: 1 }, { clock: clock.now });
    try {
      const alice = await createConnectedUser(own, 'alice');
      const channel = await createChannelWith(own, 'rest', alice);
      const kept = await upload(own, alice, channel.id, 'kept bytes');
      const orphan = await upload(own, alice, channel.id, 'orphan bytes');
      await send('rest', alice, channel.id, 'old', { fileIds: [kept.body.file.id] }, own);
      clock.advance(2 * 60 * 60 * 1000);
      await own.ctx.messages.pruneOlderThan(clock.now() - 1);
      expect(fs.existsSync(blobPath(own, 'kept bytes'))).toBe(false);
      expect(await own.ctx.files.sweep(60 * 60 * 1000)).toMatchObject({ files: 1 });
      expect(fs.existsSync(blobPath(own, 'orphan bytes'))).toBe(false);
      expect((await download(own, alice, orphan.body.file.id)).status).toBe(404);
    } finally {
      await own.close();
    }
  });
});

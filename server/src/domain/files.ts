// Files shared in channels: uploads (size limit, per-user quota, image size from the header), who may
// read one (exactly who may read its channel's messages; an unattached upload only its uploader),
// attaching to a message inside the send's transaction, and removing the bytes nobody refers to
// any more once the change that dropped them has committed (delete, retention, the orphan sweeper).
import type { Readable } from 'node:stream';
import { imageSize } from 'image-size';
import { newId, SwitchboardError, type FileInfo, type User } from '@switchboard/protocol';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Store } from '../store/database.ts';
import { serializePerUser } from '../store/dialect.ts';
import type { BlobStore } from '../store/blobs.ts';
import type { Database, FilesTable } from '../store/schema.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Channels } from './channels.ts';

type Actor = Pick<User, 'id' | 'isAdmin'>;
type Db = Kysely<Database> | Transaction<Database>;

export interface FilesOptions {
  maxFileBytes: number;
  /** Bytes one user's uploads may take in all; 0 for no limit. */
  quotaBytes: number;
  clock?: Clock;
}

/** Images a browser shows inline, by the type their header says (never by the name or the sender). */
const SAFE_IMAGES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;

export function isSafeImage(mime: string): boolean {
  return Object.values(SAFE_IMAGES).includes(mime);
}

/** A file name safe to store and show: no path, no control characters, at most 255 characters. */
export function cleanFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  const clean = base
    .replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, '')
    .trim()
    .slice(0, 255);
  return clean === '' || clean === '.' || clean === '..' ? 'file' : clean;
}

export const toFileInfo = (row: FilesTable): FileInfo => ({
  id: row.id,
  name: row.name,
  size: Number(row.size),
  mime: row.mime,
  width: row.width,
  height: row.height,
});

export class Files {
  private readonly clock: Clock;

  constructor(
    private readonly db: Store,
    private readonly blobs: BlobStore,
    private readonly channels: Channels,
    private readonly options: FilesOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Stores one upload to a channel the actor is in and may write to (not archived); it waits,
   * unattached, for their message.
   */
  async upload(
    actor: Actor,
    channelId: string,
    input: { stream: Readable; name: string; mime: string },
  ): Promise<FileInfo> {
    await this.channels.requireWritable(actor, channelId);
    const { maxFileBytes, quotaBytes } = this.options;
    const left = quotaBytes === 0 ? Infinity : quotaBytes - (await this.usedBy(actor.id));
    const overQuota = () =>
      new SwitchboardError(
        'payload_too_large',
        `this upload would pass your file quota of ${quotaBytes} bytes: delete messages with files you no longer need`,
        { details: { quotaBytes } },
      );
    if (left <= 0) throw overQuota();
    const limit = Math.min(maxFileBytes, left);
    const blob = await this.blobs.write(input.stream, limit, () =>
      limit === maxFileBytes
        ? new SwitchboardError('payload_too_large', `files may be at most ${maxFileBytes} bytes`, {
            details: { maxFileBytes },
          })
        : overQuota(),
    );
    const size = headerSize(blob.head);
    const mime = !size
      ? declaredMime(input.mime)
      : (SAFE_IMAGES[size.type] ?? (size.type === 'svg' ? 'image/svg+xml' : 'application/octet-stream'));
    const row: FilesTable = {
      id: newId(),
      channel_id: channelId,
      uploader_id: actor.id,
      message_id: null,
      name: cleanFileName(input.name),
      size: blob.size,
      mime: mime,
      sha256: blob.sha256,
      width: size && isSafeImage(mime) ? size.width : null,
      height: size && isSafeImage(mime) ? size.height : null,
      created_at: this.clock(),
      attach_index: 0,
    };
    try {
      await this.db.transaction().execute(async (trx) => {
        // Counted again where the row goes in: parallel uploads cannot pass the quota together.
        await serializePerUser(trx, actor.id);
        if (quotaBytes > 0 && (await this.usedBy(actor.id, trx)) + blob.size > quotaBytes) throw overQuota();
        await trx.insertInto('files').values(row).execute();
      });
    } catch (err) {
      await this.removeUnreferenced([blob.sha256]);
      throw err;
    }
    return toFileInfo(row);
  }

  /** A file and where its bytes are, if the actor may read it; otherwise not_found, as for a channel. */
  async open(actor: Actor, fileId: string): Promise<{ info: FileInfo; path: string }> {
    const row = await this.db.selectFrom('files').selectAll().where('id', '=', fileId).executeTakeFirst();
    const missing = new SwitchboardError('not_found', 'no such file');
    if (!row) throw missing;
    if (row.message_id === null) {
      if (row.uploader_id !== actor.id) throw missing;
    } else {
      try {
        await this.channels.requireReadable(actor, row.channel_id);
      } catch {
        throw missing;
      }
    }
    return { info: toFileInfo(row), path: this.blobs.pathOf(row.sha256) };
  }

  /**
   * Attaches the actor's unattached uploads of this channel to a message being stored, in its
   * transaction: all of them, or the send fails. They keep the order of `fileIds`, the order the
   * sender chose, which is not the order the uploads finished in.
   */
  async attach(
    trx: Transaction<Database>,
    actor: Actor,
    channelId: string,
    messageId: string,
    fileIds: string[],
  ) {
    if (fileIds.length === 0) return [];
    const rows = await trx
      .selectFrom('files')
      .selectAll()
      .where('id', 'in', fileIds)
      .where('uploader_id', '=', actor.id)
      .where('channel_id', '=', channelId)
      .where('message_id', 'is', null)
      .execute();
    if (rows.length !== new Set(fileIds).size)
      throw new SwitchboardError(
        'not_found',
        'a file to attach is not an unattached upload of yours to this channel: upload it again',
      );
    for (const [index, id] of fileIds.entries())
      await trx
        .updateTable('files')
        .set({ message_id: messageId, attach_index: index })
        .where('id', '=', id)
        .execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    return fileIds.map((id) => toFileInfo(byId.get(id)!));
  }

  /** Drops a message's file rows in its delete transaction; returns their content addresses. */
  async detach(trx: Transaction<Database>, messageId: string): Promise<string[]> {
    const rows = await trx
      .deleteFrom('files')
      .where('message_id', '=', messageId)
      .returning('sha256')
      .execute();
    return rows.map((r) => r.sha256);
  }

  /** Content addresses of the files of messages created before `cutoff` (retention, before it deletes). */
  async ofMessagesBefore(trx: Transaction<Database>, cutoff: number): Promise<string[]> {
    const rows = await trx
      .selectFrom('files')
      .innerJoin('messages', 'messages.id', 'files.message_id')
      .select('files.sha256')
      .where('messages.created_at', '<', cutoff)
      .execute();
    return rows.map((r) => r.sha256);
  }

  /** Removes the bytes of these contents unless a file row still refers to them (call after commit). */
  async removeUnreferenced(shas: readonly string[]): Promise<number> {
    let removed = 0;
    for (const sha256 of new Set(shas)) {
      const used = await this.db
        .selectFrom('files')
        .select('id')
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      if (!used) {
        this.blobs.remove(sha256);
        removed += 1;
      }
    }
    return removed;
  }

  /**
   * Uploads never attached within `graceMs` go, and so do bytes no row refers to (an upload whose
   * row was never written: a crash between the rename and the insert).
   */
  async sweep(graceMs: number): Promise<{ files: number; blobs: number }> {
    const cutoff = this.clock() - graceMs;
    const orphans = await this.db
      .deleteFrom('files')
      .where('message_id', 'is', null)
      .where('created_at', '<', cutoff)
      .returning('sha256')
      .execute();
    await this.removeUnreferenced(orphans.map((r) => r.sha256));
    const known = new Set(
      (await this.db.selectFrom('files').select('sha256').distinct().execute()).map((r) => r.sha256),
    );
    // Only bytes older than the grace period: a fresh upload's row may be a moment behind its bytes.
    const stray = this.blobs.list().filter((sha) => !known.has(sha) && this.blobs.ageMs(sha) > graceMs);
    for (const sha of stray) this.blobs.remove(sha);
    return { files: orphans.length, blobs: stray.length };
  }

  private async usedBy(userId: string, db: Db = this.db): Promise<number> {
    const row = await db
      .selectFrom('files')
      .select(sql<number>`coalesce(sum(size), 0)`.as('used'))
      .where('uploader_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(row.used);
  }
}

/** The files of these messages, by message id, in the order their sender listed them (messageRows.ts). */
export async function filesOf(db: Db, messageIds: readonly string[]): Promise<Map<string, FileInfo[]>> {
  const byMessage = new Map<string, FileInfo[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = await db
    .selectFrom('files')
    .selectAll()
    .where('message_id', 'in', messageIds)
    .orderBy('attach_index')
    .execute();
  for (const row of rows)
    byMessage.set(row.message_id!, [...(byMessage.get(row.message_id!) ?? []), toFileInfo(row)]);
  return byMessage;
}

/** The type and pixel size an image's header declares, without decoding it; undefined otherwise. */
function headerSize(head: Buffer): { type: string; width: number; height: number } | undefined {
  try {
    const { type, width, height } = imageSize(head);
    return type && width && height ? { type, width, height } : undefined;
  } catch {
    return undefined;
  }
}

/** The sender's type for a file that is no image we show: kept if well formed, never an image type. */
function declaredMime(mime: string): string {
  const lower = mime.toLowerCase().split(';')[0]!.trim();
  return MIME.test(lower) && !lower.startsWith('image/') ? lower : 'application/octet-stream';
}

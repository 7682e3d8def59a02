// Files for the UI, which never touches the network: an upload arrives from the UI in chunks of
// bytes (ArrayBuffers cross every port the core runs behind — a browser Worker's and Electron's
// MessagePortMain alike; Blob and File objects do not cross into a utility process), is gathered as
// Blob parts (which a browser may keep on disk), and sent as one multipart request; a download
// comes back to the UI as bytes, which it shows through a blob: URL.
import { FileInfo, SwitchboardError } from '@switchboard/protocol';
import type { SessionEvents } from '../contract.ts';
import { restBytes, restCall } from '../rest.ts';

/** Uploads one session may have open at once. */
const MAX_OPEN_UPLOADS = 20;

export interface FilesHost {
  /** The server and the signed-in token; throws when signed out. */
  server(): { url: string; token: string };
  /** The server's largest file, when it has said. */
  maxFileBytes(): number | undefined;
  tell(progress: SessionEvents['upload']): void;
}

interface Upload {
  id: string;
  channelId: string;
  name: string;
  mime: string;
  size: number;
  parts: Blob[];
  received: number;
  abort: AbortController;
}

export class FileTransfers {
  private readonly uploads = new Map<string, Upload>();
  private nextId = 1;

  constructor(private readonly host: FilesHost) {}

  start(input: { channelId: string; name: string; size: number; mime: string }): { uploadId: string } {
    const max = this.host.maxFileBytes();
    if (max !== undefined && input.size > max)
      throw new SwitchboardError('payload_too_large', `files may be at most ${max} bytes`, {
        details: { maxFileBytes: max },
      });
    if (this.uploads.size >= MAX_OPEN_UPLOADS)
      throw new SwitchboardError('rate_limited', 'too many uploads at once: wait for one to finish');
    const id = `u${this.nextId++}`;
    this.uploads.set(id, { id, ...input, parts: [], received: 0, abort: new AbortController() });
    this.tell(this.uploads.get(id)!, 'reading');
    return { uploadId: id };
  }

  /** Takes the next chunk; the UI sends the one after when this resolves, which bounds what is in flight. */
  chunk(uploadId: string, bytes: ArrayBuffer): void {
    const upload = this.find(uploadId);
    if (upload.received + bytes.byteLength > upload.size) {
      this.drop(upload, 'failed');
      throw new SwitchboardError('validation_failed', 'more bytes than the upload said it would have');
    }
    upload.parts.push(new Blob([bytes]));
    upload.received += bytes.byteLength;
    this.tell(upload, 'reading');
  }

  /** Sends what arrived to the server; resolves with the stored file. */
  async finish(uploadId: string): Promise<FileInfo> {
    const upload = this.find(uploadId);
    if (upload.received !== upload.size) {
      this.drop(upload, 'failed');
      throw new SwitchboardError('validation_failed', 'fewer bytes than the upload said it would have');
    }
    const { url, token } = this.host.server();
    const form = new FormData();
    form.append('file', new Blob(upload.parts, { type: upload.mime }), upload.name);
    upload.parts = [];
    this.tell(upload, 'sending');
    try {
      const answer = await restCall<{ file: unknown }>(
        url,
        'POST',
        `/api/v1/channels/${encodeURIComponent(upload.channelId)}/files`,
        { form, token, signal: upload.abort.signal },
      );
      const file = FileInfo.parse(answer?.file);
      this.drop(upload, 'done');
      return file;
    } catch (err) {
      this.drop(upload, upload.abort.signal.aborted ? 'cancelled' : 'failed');
      throw err;
    }
  }

  /** Stops an upload wherever it is: its bytes are dropped and a request on its way is aborted. */
  cancel(uploadId: string): void {
    const upload = this.uploads.get(uploadId);
    if (!upload) return;
    upload.abort.abort();
    this.drop(upload, 'cancelled');
  }

  /** A stored file's bytes, for the UI to show (an image) or save (a download). */
  async bytes(fileId: string): Promise<{ bytes: ArrayBuffer; mime: string }> {
    const { url, token } = this.host.server();
    return restBytes(url, `/api/v1/files/${encodeURIComponent(fileId)}`, { token });
  }

  /** Signing out: every upload stops. */
  clear(): void {
    for (const upload of [...this.uploads.values()]) this.cancel(upload.id);
  }

  private find(uploadId: string): Upload {
    const upload = this.uploads.get(uploadId);
    if (!upload) throw new SwitchboardError('not_found', 'no such upload: it finished or was cancelled');
    return upload;
  }

  private drop(upload: Upload, state: 'done' | 'failed' | 'cancelled'): void {
    if (!this.uploads.delete(upload.id)) return;
    upload.parts = [];
    this.tell(upload, state);
  }

  private tell(upload: Upload, state: SessionEvents['upload']['state']): void {
    this.host.tell({
      uploadId: upload.id,
      channelId: upload.channelId,
      name: upload.name,
      size: upload.size,
      received: upload.received,
      state,
    });
  }
}

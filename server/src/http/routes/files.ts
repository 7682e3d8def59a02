// REST routes for files: an upload is one multipart/form-data part, streamed to disk as it arrives
// (never held in memory whole); a download streams the bytes back to whoever may read them, in a
// way a browser cannot run: attachment unless a plain image, no sniffing, and a sandboxing CSP.
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { SwitchboardError } from '@switchboard/protocol';
import type { ServerContext } from '../../context.ts';
import { isSafeImage } from '../../domain/files.ts';
import { idParam } from './input.ts';

/** What an uploaded file is served with instead of the page's policy: nothing may load or run. */
export const FILE_POLICY = "default-src 'none'; sandbox";

/** `inline` or `attachment`, with the name both as plain ASCII and as RFC 5987 UTF-8. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** A multipart parser's complaint (no code of ours or Fastify's) means the body was malformed. */
function toUploadError(err: unknown): unknown {
  if (err instanceof SwitchboardError || (err as { code?: unknown }).code !== undefined) return err;
  return new SwitchboardError(
    'bad_request',
    `the multipart body is malformed: ${err instanceof Error ? err.message : 'unreadable'}`,
  );
}

export function fileRoutes(api: FastifyInstance, ctx: ServerContext): void {
  api.post('/channels/:id/files', async (request, reply) => {
    const channelId = idParam(request);
    if (!request.isMultipart())
      throw new SwitchboardError(
        'bad_request',
        'send the file as multipart/form-data, for example curl -F file=@photo.png',
      );
    const part = await request.file().catch((err: unknown) => {
      throw toUploadError(err);
    });
    if (!part) throw new SwitchboardError('bad_request', 'the form holds no file: send one file part');
    const file = await ctx.files.upload(request.user, channelId, {
      stream: part.file,
      name: part.filename,
      mime: part.mimetype,
    });
    return reply.status(201).send({ file });
  });

  api.get('/files/:id', async (request, reply) => {
    const { info, path } = await ctx.files.open(request.user, idParam(request));
    const inline = isSafeImage(info.mime);
    void reply.headers({
      'Content-Type': info.mime,
      'Content-Length': String(info.size),
      'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', info.name),
      'Content-Security-Policy': FILE_POLICY,
      'Cross-Origin-Resource-Policy': 'same-origin',
      // Access can end (a member removed, the message deleted): keep no copy along the way.
      'Cache-Control': 'private, no-store',
    });
    return reply.send(fs.createReadStream(path));
  });
}

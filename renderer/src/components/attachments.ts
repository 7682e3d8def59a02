// Files being attached to the next message: each is read from the File in chunks and handed to the
// session core, which uploads it (the UI never touches the network); progress and cancel per file.
// The bytes go over the port as ArrayBuffers, one chunk at a time, so memory stays bounded by a chunk
// here and the core's parts there.
import { useCallback, useEffect, useRef, useState } from 'react';
import { UPLOAD_CHUNK_BYTES } from '@switchboard/client/browser';
import type { FileInfo } from '@switchboard/protocol';
import { errorText } from '../format.ts';
import type { SessionClient } from '../session/types.ts';

export interface Attachment {
  key: number;
  name: string;
  size: number;
  /** Bytes handed to the core so far. */
  sent: number;
  state: 'uploading' | 'sending' | 'done' | 'failed';
  file?: FileInfo;
  error?: string;
}

let nextKey = 1;

export function useAttachments(client: SessionClient, channelId: string, t: Parameters<typeof errorText>[1]) {
  const [list, setList] = useState<Attachment[]>([]);
  const cancelled = useRef(new Set<number>());
  const uploads = useRef(new Map<number, string>());

  const update = (key: number, change: Partial<Attachment>) =>
    setList((all) => all.map((a) => (a.key === key ? { ...a, ...change } : a)));

  const upload = useCallback(
    async (key: number, file: File) => {
      try {
        const { uploadId } = await client.request('uploadStart', {
          channelId,
          name: file.name || 'pasted',
          size: file.size,
          mime: file.type,
        });
        uploads.current.set(key, uploadId);
        for (let at = 0; at < file.size; at += UPLOAD_CHUNK_BYTES) {
          if (cancelled.current.has(key)) return;
          const bytes = await file.slice(at, at + UPLOAD_CHUNK_BYTES).arrayBuffer();
          await client.request('uploadChunk', { uploadId, bytes });
          update(key, { sent: Math.min(file.size, at + UPLOAD_CHUNK_BYTES) });
        }
        if (cancelled.current.has(key)) return;
        update(key, { state: 'sending' });
        const stored = await client.request('uploadFinish', { uploadId });
        update(key, { state: 'done', file: stored });
      } catch (err) {
        if (!cancelled.current.has(key)) update(key, { state: 'failed', error: errorText(err, t) });
      } finally {
        uploads.current.delete(key);
      }
    },
    [client, channelId, t],
  );

  const add = useCallback(
    (files: readonly File[]) => {
      const added = files.map((file) => ({
        key: nextKey++,
        name: file.name || 'pasted',
        size: file.size,
        sent: 0,
        state: 'uploading' as const,
      }));
      setList((all) => [...all, ...added]);
      added.forEach((a, i) => void upload(a.key, files[i]!));
    },
    [upload],
  );

  const remove = useCallback(
    (key: number) => {
      cancelled.current.add(key);
      const uploadId = uploads.current.get(key);
      if (uploadId) void client.request('uploadCancel', { uploadId }).catch(() => undefined);
      setList((all) => all.filter((a) => a.key !== key));
    },
    [client],
  );

  const clear = useCallback(() => setList([]), []);

  // Leaving the conversation stops what is still uploading.
  useEffect(
    () => () => {
      for (const [key, uploadId] of uploads.current) {
        cancelled.current.add(key);
        void client.request('uploadCancel', { uploadId }).catch(() => undefined);
      }
    },
    [client],
  );

  return { list, add, remove, clear };
}

// A message's files: images as previews (their bytes fetched by the session core and shown through a
// blob: URL — an authenticated URL cannot go in <img src>), opened large in a viewer; other files as a
// name, a size and a Download button that saves the bytes the core hands over.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FileInfo } from '@switchboard/protocol';
import { errorText } from '../format.ts';
import { useStore } from '../state/store.ts';
import type { SessionClient } from '../session/types.ts';
import { Dialog } from './Dialog.tsx';
import { Icon } from './Icon.tsx';

const INLINE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const PREVIEW_MAX = 320;
/** Object URLs by file id, for this page's life: a file's bytes never change. */
const urls = new Map<string, Promise<string>>();

function fileUrl(client: SessionClient, file: FileInfo): Promise<string> {
  let url = urls.get(file.id);
  if (!url) {
    url = client
      .request('fileBytes', { fileId: file.id })
      .then(({ bytes, mime }) =>
        URL.createObjectURL(
          new Blob([bytes], { type: INLINE_IMAGES.has(mime) ? mime : 'application/octet-stream' }),
        ),
      );
    url.catch(() => urls.delete(file.id));
    urls.set(file.id, url);
  }
  return url;
}

export function formatSize(bytes: number, language: string): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${new Intl.NumberFormat(language, { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value)} ${units[unit]}`;
}

export function MessageFiles({ files }: { files: readonly FileInfo[] }) {
  if (files.length === 0) return null;
  return (
    <ul className="message-files">
      {files.map((file) => (
        <li key={file.id}>
          {INLINE_IMAGES.has(file.mime) && file.width && file.height ? (
            <ImagePreview file={file} />
          ) : (
            <FileChip file={file} />
          )}
        </li>
      ))}
    </ul>
  );
}

function ImagePreview({ file }: { file: FileInfo }) {
  const { t } = useTranslation();
  const store = useStore();
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const [viewing, setViewing] = useState(false);
  useEffect(() => {
    let current = true;
    fileUrl(store.client, file).then(
      (u) => current && setUrl(u),
      () => current && setFailed(true),
    );
    return () => {
      current = false;
    };
  }, [store, file]);
  // The size is known from the header, so the row does not jump when the image arrives.
  const scale = Math.min(1, PREVIEW_MAX / Math.max(file.width!, file.height!));
  const size = { width: Math.round(file.width! * scale), height: Math.round(file.height! * scale) };
  if (failed) return <FileChip file={file} />;
  return (
    <>
      <button
        type="button"
        className="image-preview"
        style={size}
        aria-label={t('files.open', { name: file.name })}
        onClick={() => setViewing(true)}
      >
        {url && <img src={url} alt={file.name} width={size.width} height={size.height} />}
      </button>
      {viewing && url && (
        <Dialog title={file.name} onClose={() => setViewing(false)} className="image-viewer">
          <img src={url} alt={file.name} />
          <DownloadButton file={file} />
        </Dialog>
      )}
    </>
  );
}

function FileChip({ file }: { file: FileInfo }) {
  const { i18n } = useTranslation();
  return (
    <span className="file-chip">
      <Icon name="file" size={16} />
      <span className="file-name">{file.name}</span>
      <span className="file-size">{formatSize(file.size, i18n.language)}</span>
      <DownloadButton file={file} />
    </span>
  );
}

function DownloadButton({ file }: { file: FileInfo }) {
  const { t } = useTranslation();
  const store = useStore();
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    setError(null);
    try {
      const link = document.createElement('a');
      link.href = await fileUrl(store.client, file);
      link.download = file.name;
      link.click();
    } catch (err) {
      setError(errorText(err, t));
    }
  };
  return (
    <>
      <button
        type="button"
        className="button small"
        aria-label={t('files.download', { name: file.name })}
        onClick={() => void download()}
      >
        {t('files.downloadShort')}
      </button>
      {error && <span className="form-error">{error}</span>}
    </>
  );
}

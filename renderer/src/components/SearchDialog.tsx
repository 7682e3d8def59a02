// Message search: the box takes the query language of the protocol's search.ts (words, "phrases",
// in:#channel from:@user before:/after:YYYY-MM-DD has:file), says what it did not understand, and
// lists results newest first with the matching words highlighted — as text nodes, never as HTML.
// Choosing a result opens its channel at that message (a thread's reply, in its thread); channels show
// by their display names.
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  matchRanges,
  parseSearchQuery,
  type Message,
  type SearchNote,
  type SearchResult,
} from '@switchboard/protocol';
import { channelLabel, errorText, formatFullDate } from '../format.ts';
import { useStore, useUi } from '../state/store.ts';
import { Dialog } from './Dialog.tsx';

/** Characters of context shown before the first match. */
const LEAD = 60;
const SNIPPET = 200;

interface SearchDialogProps {
  onClose(): void;
  /** Opens a result: its channel, scrolled to the message, or the thread it replies in. */
  onOpen(message: Message): void;
}

/** The part of `text` around its first match, cut into plain and highlighted pieces. */
export function snippet(text: string, ranges: readonly [number, number][]) {
  const first = ranges[0]?.[0] ?? 0;
  const from = first > LEAD ? text.lastIndexOf(' ', first - LEAD) + 1 || first - LEAD : 0;
  const to = Math.min(text.length, from + SNIPPET);
  const pieces: { text: string; match: boolean }[] = [];
  let at = from;
  for (const [start, end] of ranges) {
    if (end <= from || start >= to) continue;
    if (start > at) pieces.push({ text: text.slice(at, start), match: false });
    pieces.push({ text: text.slice(Math.max(start, at), Math.min(end, to)), match: true });
    at = Math.min(end, to);
  }
  if (at < to) pieces.push({ text: text.slice(at, to), match: false });
  return { pieces, cutBefore: from > 0, cutAfter: to < text.length };
}

export function SearchDialog({ onClose, onOpen }: SearchDialogProps) {
  const { t, i18n } = useTranslation();
  const store = useStore();
  const me = useUi((s) => s.user)!;
  const users = useUi((s) => s.users);
  const channels = useUi((s) => s.channels);
  const [input, setInput] = useState('');
  const [asked, setAsked] = useState<string | null>(null);
  const [results, setResults] = useState<SearchResult[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const parsed = useMemo(() => parseSearchQuery(asked ?? ''), [asked]);

  const run = async (q: string, after: string | null) => {
    setBusy(true);
    setError(null);
    try {
      const page = await store.client.request('search', after === null ? { q } : { q, cursor: after });
      setResults((list) => (after === null ? page.results : [...list, ...page.results]));
      setCursor(page.nextCursor);
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (input.trim() === '') return;
    setAsked(input);
    setResults([]);
    void run(input, null);
  };

  const open = async (result: SearchResult) => {
    try {
      // A public channel not joined yet: joining it is how the app shows a channel.
      if (!channels.some((c) => c.id === result.channelId))
        await store.client.request('joinChannel', { channelId: result.channelId });
      onOpen(result.message);
    } catch (err) {
      setError(errorText(err, t));
    }
  };

  const where = (result: SearchResult) => {
    const channel = channels.find((c) => c.id === result.channelId);
    if (channel) {
      const label = channelLabel(channel, users, me.id, t);
      return channel.kind === 'direct' ? label : `#${label}`;
    }
    // A public channel not joined: the result carries its name.
    return t('search.notJoined', { channel: result.channelName });
  };

  return (
    <Dialog title={t('search.title')} onClose={onClose} className="search-dialog">
      <form className="search-form" role="search" onSubmit={submit}>
        <input
          type="search"
          className="input"
          aria-label={t('search.label')}
          placeholder={t('search.placeholder')}
          value={input}
          maxLength={500}
          onChange={(event) => setInput(event.target.value)}
          data-autofocus
        />
        <button type="submit" className="button primary" disabled={busy}>
          {t('search.submit')}
        </button>
      </form>
      <p className="form-hint">{t('search.hint')}</p>
      {parsed.notes.length > 0 && (
        <ul className="search-notes">
          {parsed.notes.map((note, i) => (
            <li key={i}>{noteText(note, t)}</li>
          ))}
        </ul>
      )}
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      {asked !== null && !busy && results.length === 0 && !error && <p role="status">{t('search.none')}</p>}
      <ul className="search-results" aria-label={t('search.results')}>
        {results.map((result) => {
          const { message } = result;
          const cut = snippet(message.text, matchRanges(message.text, parsed.terms));
          return (
            <li key={message.id}>
              <button type="button" className="search-result" onClick={() => void open(result)}>
                <span className="search-result-meta">
                  <strong>{users.get(message.authorId)?.displayName ?? t('messages.unknownAuthor')}</strong>
                  <span>{where(result)}</span>
                  <time dateTime={new Date(message.ts).toISOString()}>
                    {formatFullDate(message.ts, i18n.language)}
                  </time>
                </span>
                <span className="search-result-text" data-testid="search-snippet">
                  {cut.cutBefore && '…'}
                  {cut.pieces.map((piece, i) =>
                    piece.match ? <mark key={i}>{piece.text}</mark> : piece.text,
                  )}
                  {cut.cutAfter && '…'}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {cursor !== null && (
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={() => void run(asked ?? '', cursor)}
        >
          {t('search.more')}
        </button>
      )}
    </Dialog>
  );
}

function noteText(note: SearchNote, t: ReturnType<typeof useTranslation>['t']): string {
  switch (note.kind) {
    case 'unknown-operator':
      return t('search.notes.unknown', { operator: note.operator });
    case 'bad-date':
      return t('search.notes.badDate', { operator: note.operator, value: note.value });
    case 'bad-has':
      return t('search.notes.badHas', { value: note.value });
    case 'empty-operator':
      return t('search.notes.empty', { operator: note.operator });
    case 'repeated-operator':
      return t('search.notes.repeated', { operator: note.operator });
  }
}

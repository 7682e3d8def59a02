// Message search: the box takes the query language of the protocol's search.ts (words, "phrases",
// in:#channel from:@user before:/after:YYYY-MM-DD has:file), says what it did not understand, and
// lists results newest first with the matching words highlighted — as text nodes, never as HTML.
// It searches as you type (once per pause) and at once on Enter; only the newest search's answer
// shows, whatever order the answers come back in.
// Choosing a result opens its channel at that message (a thread's reply, in its thread); channels show
// by their display names.
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
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
import { SEARCH_DELAY_MS, useDebounced } from './useDebounced.ts';

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
  const typed = useDebounced(input.trim(), SEARCH_DELAY_MS);
  /** The answer shown: the query it answers, its results so far and where the next page starts. */
  const [answer, setAnswer] = useState<{ q: string; results: SearchResult[]; cursor: string | null } | null>(
    null,
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const parsed = useMemo(() => parseSearchQuery(answer?.q ?? ''), [answer?.q]);
  /** Counts searches started: an answer to any but the newest is dropped. */
  const latest = useRef(0);
  /** The query of the newest search, so the pause after an Enter does not ask again. */
  const lastAsked = useRef('');

  const run = useCallback(
    async (q: string, after: string | null) => {
      const mine = after === null ? ++latest.current : latest.current;
      if (after === null) lastAsked.current = q;
      setBusy(true);
      setError(null);
      try {
        const page = await store.client.request('search', after === null ? { q } : { q, cursor: after });
        if (mine !== latest.current) return;
        setAnswer((shown) => ({
          q,
          results: after === null || !shown ? page.results : [...shown.results, ...page.results],
          cursor: page.nextCursor,
        }));
      } catch (err) {
        if (mine === latest.current) setError(errorText(err, t));
      } finally {
        if (mine === latest.current) setBusy(false);
      }
    },
    [store, t],
  );

  useEffect(() => {
    if (typed === lastAsked.current) return;
    if (typed !== '') return void run(typed, null);
    // The box emptied: nothing to show, and an answer on its way is dropped.
    latest.current += 1;
    lastAsked.current = '';
    setAnswer(null);
    setBusy(false);
    setError(null);
  }, [typed, run]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (input.trim() === '') return;
    void run(input.trim(), null);
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
      {answer !== null && !busy && answer.results.length === 0 && !error && (
        <p role="status">{t('search.none')}</p>
      )}
      <ul className="search-results" aria-label={t('search.results')}>
        {answer?.results.map((result) => {
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
      {answer !== null && answer.cursor !== null && (
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={() => void run(answer.q, answer.cursor)}
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

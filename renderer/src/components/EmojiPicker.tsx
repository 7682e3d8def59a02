// Choosing an emoji for a reaction: a search over names and keywords of the one emoji set the server
// accepts (@switchboard/protocol/emoji), with the person's recently used ones first. Recents are
// kept per user on this device (localStorage): they are a convenience, not something to sync.
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EMOJI, findEmoji, searchEmoji, type Emoji } from '@switchboard/protocol/emoji';
import { Dialog } from './Dialog.tsx';
import { SearchField } from './Form.tsx';

/** Emoji shown at once; searching narrows the set down from there. */
const SHOWN = 160;
const MAX_RECENT = 16;

const recentKey = (userId: string) => `switchboard.recentEmoji.${userId}`;

/** A person's recently used emoji on this device, newest first; only emoji still in the set. */
export function recentEmoji(userId: string): Emoji[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(recentKey(userId)) ?? '[]');
    if (!Array.isArray(stored)) return [];
    return stored.flatMap((char) => (typeof char === 'string' ? (findEmoji(char) ?? []) : []));
  } catch {
    return [];
  }
}

export function rememberEmoji(userId: string, char: string): void {
  const recent = [
    char,
    ...recentEmoji(userId)
      .map((e) => e.char)
      .filter((c) => c !== char),
  ];
  localStorage.setItem(recentKey(userId), JSON.stringify(recent.slice(0, MAX_RECENT)));
}

export function EmojiPicker({
  userId,
  onPick,
  onClose,
}: {
  userId: string;
  onPick(char: string): void;
  onClose(): void;
}) {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const recent = useMemo(() => recentEmoji(userId), [userId]);
  const results = useMemo(() => searchEmoji(query, SHOWN), [query]);

  const pick = (char: string) => {
    rememberEmoji(userId, char);
    onPick(char);
  };
  const grid = (emoji: readonly Emoji[], label: string) => (
    <div className="emoji-grid" role="group" aria-label={label}>
      {emoji.map((e) => (
        <button
          key={e.name}
          type="button"
          className="emoji-option"
          aria-label={e.name.replace(/_/g, ' ')}
          title={`:${e.name}:`}
          onClick={() => pick(e.char)}
        >
          {e.char}
        </button>
      ))}
    </div>
  );

  return (
    <Dialog title={t('reactions.pick')} onClose={onClose} className="dialog-emoji">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (results[0]) pick(results[0].char);
        }}
      >
        <SearchField id="emoji-search" label={t('reactions.search')} value={query} onValueChange={setQuery} />
      </form>
      {query === '' && recent.length > 0 && (
        <>
          <h3 className="emoji-heading">{t('reactions.recent')}</h3>
          {grid(recent, t('reactions.recent'))}
        </>
      )}
      <h3 className="emoji-heading">{query === '' ? t('reactions.all') : t('reactions.results')}</h3>
      {results.length > 0 ? (
        grid(results, query === '' ? t('reactions.all') : t('reactions.results'))
      ) : (
        <p className="muted">{t('reactions.none')}</p>
      )}
      {query === '' && <p className="hint">{t('reactions.more', { count: EMOJI.length - SHOWN })}</p>}
    </Dialog>
  );
}

// Ctrl/Cmd+K: type part of a name, arrows to choose, Enter to open. Lists joined channels and direct
// conversations, people without one yet (choosing them starts a direct conversation), and public
// channels not joined yet, which the server finds as you type (choosing one joins it).
import { useEffect, useId, useMemo, useState, type KeyboardEvent } from 'react';
import type { BrowsedChannel } from '@switchboard/protocol';
import { useTranslation } from 'react-i18next';
import { channelLabel, directPartner, errorText, unreadText } from '../format.ts';
import { useStore, useUi } from '../state/store.ts';
import { Dialog } from './Dialog.tsx';
import { FormError } from './Form.tsx';
import { Icon } from './Icon.tsx';
import { PresenceDot } from './PresenceDot.tsx';
import { SEARCH_DELAY_MS, useDebounced } from './useDebounced.ts';

interface Entry {
  key: string;
  label: string;
  detail: string;
  kind: 'public' | 'private' | 'direct' | 'person' | 'join';
  channelId?: string;
  userId?: string;
  unread: string | null;
}

const MAX_ENTRIES = 12;

export function QuickSwitcher({ onClose, onOpen }: { onClose(): void; onOpen(channelId: string): void }) {
  const { t } = useTranslation();
  const store = useStore();
  const channels = useUi((s) => s.channels);
  const users = useUi((s) => s.users);
  const me = useUi((s) => s.user);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const listId = useId();
  const search = useDebounced(query.trim().replace(/^[#@]/, ''), SEARCH_DELAY_MS);
  const [unjoined, setUnjoined] = useState<BrowsedChannel[]>([]);

  useEffect(() => {
    if (!search) return setUnjoined([]);
    let current = true;
    store.client.request('browseChannels', { query: search.slice(0, 64), limit: MAX_ENTRIES }).then(
      (page) => current && setUnjoined(page.channels.filter((c) => !c.joined)),
      // Offline or refused: the switcher still finds what is known here.
      () => current && setUnjoined([]),
    );
    return () => {
      current = false;
    };
  }, [store, search]);

  const entries = useMemo<Entry[]>(() => {
    const withDirect = new Set(channels.map((c) => directPartner(c, me?.id)).filter(Boolean));
    const all: Entry[] = [
      ...channels.map((c) => ({
        key: c.id,
        label: channelLabel(c, users, me?.id, t),
        detail:
          c.kind === 'direct'
            ? t('switcher.direct')
            : c.kind === 'private'
              ? t('sidebar.private')
              : t('switcher.channel'),
        kind: c.kind,
        channelId: c.id,
        userId: directPartner(c, me?.id),
        unread: c.unreadCount > 0 ? unreadText(c.unreadCount, c.unreadCapped) : null,
      })),
      ...[...users.values()]
        .filter((u) => u.id !== me?.id && !withDirect.has(u.id))
        .map((u) => ({
          key: `user:${u.id}`,
          label: u.displayName,
          detail: `@${u.username}`,
          kind: 'person' as const,
          userId: u.id,
          unread: null,
        })),
      ...unjoined.map((c) => ({
        key: `join:${c.id}`,
        label: c.displayName || c.name,
        detail: t('switcher.notJoined'),
        kind: 'join' as const,
        channelId: c.id,
        unread: null,
      })),
    ];
    const q = query.trim().toLowerCase().replace(/^[#@]/, '');
    const rank = (e: Entry) => {
      const label = e.label.toLowerCase();
      if (!q) return e.unread ? 0 : 1;
      if (label.startsWith(q) || e.detail.toLowerCase().startsWith(`@${q}`)) return 0;
      return label.includes(q) || e.detail.toLowerCase().includes(q) ? 1 : -1;
    };
    return (
      all
        .map((e) => ({ e, r: rank(e) }))
        .filter(({ r }) => r >= 0)
        // What you are already in comes before what you would join.
        .sort(
          (a, b) =>
            a.r - b.r ||
            Number(a.e.kind === 'join') - Number(b.e.kind === 'join') ||
            a.e.label.localeCompare(b.e.label),
        )
        .slice(0, MAX_ENTRIES)
        .map(({ e }) => e)
    );
  }, [channels, users, me, query, unjoined, t]);

  const choose = async (entry: Entry | undefined) => {
    if (!entry) return;
    if (entry.channelId && entry.kind !== 'join') return onOpen(entry.channelId);
    try {
      const channel =
        entry.kind === 'join'
          ? await store.client.request('joinChannel', { channelId: entry.channelId! })
          : await store.client.request('openDirect', { userId: entry.userId! });
      onOpen(channel.id);
    } catch (err) {
      setError(errorText(err, t));
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (entries.length === 0) return;
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (i + step + entries.length) % entries.length);
    } else if (event.key === 'Enter' && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void choose(entries[active]);
    }
  };

  const activeEntry = entries[active];
  return (
    <Dialog title={t('switcher.title')} onClose={onClose} className="dialog-switcher">
      <div className="input-icon">
        <Icon name="search" size={16} />
        <input
          role="combobox"
          aria-label={t('switcher.search')}
          aria-expanded={entries.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={activeEntry ? `${listId}-${activeEntry.key}` : undefined}
          aria-describedby={`${listId}-hint`}
          placeholder={t('switcher.placeholder')}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
          data-autofocus
        />
      </div>
      <p id={`${listId}-hint`} className="hint">
        {t('switcher.hint')}
      </p>
      <FormError error={error} />
      <ul id={listId} role="listbox" aria-label={t('switcher.results')} className="switcher-list">
        {entries.map((entry, i) => (
          <li
            key={entry.key}
            id={`${listId}-${entry.key}`}
            role="option"
            aria-selected={i === active}
            className="switcher-option"
            onMouseEnter={() => setActive(i)}
            onMouseDown={(e) => {
              e.preventDefault();
              void choose(entry);
            }}
          >
            {entry.kind === 'direct' || entry.kind === 'person' ? (
              <PresenceDot status={entry.userId ? users.get(entry.userId)?.presence : 'online'} />
            ) : (
              <Icon
                name={entry.kind === 'private' ? 'lock' : entry.kind === 'join' ? 'plus' : 'hash'}
                size={16}
              />
            )}
            <span className="pick-name">{entry.label}</span>
            <span className="pick-detail">{entry.detail}</span>
            {entry.unread && <span className="badge">{entry.unread}</span>}
          </li>
        ))}
      </ul>
      {entries.length === 0 && <p className="muted">{t('switcher.empty')}</p>}
    </Dialog>
  );
}

// Ctrl/Cmd+K: type part of a name, arrows to choose, Enter to open. Lists joined channels and direct
// conversations, then people without one yet (choosing them starts a direct conversation).
import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { channelLabel, directPartner, errorText } from '../format.ts';
import { useStore, useUi } from '../state/hooks.tsx';
import { Dialog } from './Dialog.tsx';
import { FormError } from './Form.tsx';
import { Icon } from './Icon.tsx';
import { PresenceDot } from './PresenceDot.tsx';

interface Entry {
  key: string;
  label: string;
  detail: string;
  kind: 'public' | 'private' | 'direct' | 'person';
  channelId?: string;
  userId?: string;
  unread: number;
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
        unread: c.unreadCount,
      })),
      ...[...users.values()]
        .filter((u) => u.id !== me?.id && !withDirect.has(u.id))
        .map((u) => ({
          key: `user:${u.id}`,
          label: u.displayName,
          detail: `@${u.username}`,
          kind: 'person' as const,
          userId: u.id,
          unread: 0,
        })),
    ];
    const q = query.trim().toLowerCase().replace(/^[#@]/, '');
    const rank = (e: Entry) => {
      const label = e.label.toLowerCase();
      if (!q) return e.unread > 0 ? 0 : 1;
      if (label.startsWith(q) || e.detail.toLowerCase().startsWith(`@${q}`)) return 0;
      return label.includes(q) || e.detail.toLowerCase().includes(q) ? 1 : -1;
    };
    return all
      .map((e) => ({ e, r: rank(e) }))
      .filter(({ r }) => r >= 0)
      .sort((a, b) => a.r - b.r || a.e.label.localeCompare(b.e.label))
      .slice(0, MAX_ENTRIES)
      .map(({ e }) => e);
  }, [channels, users, me, query, t]);

  const choose = async (entry: Entry | undefined) => {
    if (!entry) return;
    if (entry.channelId) return onOpen(entry.channelId);
    try {
      const channel = await store.client.request('openDirect', { userId: entry.userId! });
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
              <Icon name={entry.kind === 'private' ? 'lock' : 'hash'} size={16} />
            )}
            <span className="pick-name">{entry.label}</span>
            <span className="pick-detail">{entry.detail}</span>
            {entry.unread > 0 && <span className="badge">{entry.unread}</span>}
          </li>
        ))}
      </ul>
      {entries.length === 0 && <p className="muted">{t('switcher.empty')}</p>}
    </Dialog>
  );
}

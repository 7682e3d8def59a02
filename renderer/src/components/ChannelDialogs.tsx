// Creating, browsing and joining channels, starting a direct conversation, adding people to a
// channel, and leaving one.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import {
  ChannelDisplayName,
  slugFromName,
  type BrowsedChannel,
  type Channel,
  type ChannelSummary,
} from '@switchboard/protocol';
import { errorText } from '../format.ts';
import { useStore, useUi, type UserWithPresence } from '../state/store.ts';
import { Dialog } from './Dialog.tsx';
import { FormActions, FormError, SearchField } from './Form.tsx';
import { Icon } from './Icon.tsx';
import { PresenceDot } from './PresenceDot.tsx';
import { SEARCH_DELAY_MS, useDebounced } from './useDebounced.ts';

interface DialogCommon {
  onClose(): void;
  /** Opens a conversation (and closes the dialog). */
  onOpen(channelId: string): void;
}

/**
 * A channel's name is any text people read (any script); the server makes its link name from it,
 * which the dialog shows as it is typed, and the notice after creating says what it became.
 */
export function CreateChannelDialog({
  onClose,
  onOpen,
  onCreated,
}: DialogCommon & { onCreated(channel: ChannelSummary): void }) {
  const { t } = useTranslation();
  const store = useStore();
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'private'>('public');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const displayName = name.trim().replace(/^#/, '');
  const slug = slugFromName(displayName);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!ChannelDisplayName.safeParse(displayName).success) return setError(t('create.nameInvalid'));
    setBusy(true);
    setError(null);
    try {
      const channel = await store.client.request('createChannel', { displayName, visibility });
      onCreated(channel);
      onOpen(channel.id);
    } catch (err) {
      setError(errorText(err, t));
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('create.title')} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="create-name">{t('create.name')}</label>
          <div className="input-prefix">
            <span aria-hidden="true">#</span>
            <input
              id="create-name"
              value={name}
              maxLength={80}
              onChange={(e) => setName(e.target.value)}
              spellCheck={false}
              aria-describedby="create-name-hint create-name-slug"
              aria-invalid={error ? true : undefined}
              data-autofocus
            />
          </div>
          <p id="create-name-hint" className="hint">
            {/* Examples never break inside ("release-/2.0"), in any language's line breaking. */}
            <Trans i18nKey="create.nameHint" components={{ example: <span className="nowrap" /> }} />
          </p>
          <p id="create-name-slug" className="hint" data-testid="slug-preview">
            {displayName === '' ? '' : slug ? t('create.slug', { slug }) : t('create.slugCode')}
          </p>
        </div>
        <fieldset className="field choices">
          <legend>{t('create.visibility')}</legend>
          {(['public', 'private'] as const).map((v) => (
            <label key={v} className="choice">
              <input
                type="radio"
                name="visibility"
                value={v}
                checked={visibility === v}
                onChange={() => setVisibility(v)}
              />
              <span>
                <strong>{t(`create.${v}`)}</strong>
                <span className="hint">{t(`create.${v}Hint`)}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <FormError error={error} />
        <FormActions submit={t('create.submit')} onCancel={onClose} busy={busy} />
      </form>
    </Dialog>
  );
}

/** Public channels a page at a time, searched on the server as the reader types. */
export function BrowseChannelsDialog({ onClose, onOpen }: DialogCommon) {
  const { t } = useTranslation();
  const store = useStore();
  const [filter, setFilter] = useState('');
  const query = useDebounced(filter.trim(), SEARCH_DELAY_MS);
  const [pages, setPages] = useState<{
    query: string;
    channels: BrowsedChannel[];
    next: string | null;
  } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  useEffect(() => {
    let current = true;
    setError(null);
    store.client.request('browseChannels', query ? { query } : {}).then(
      (page) => current && setPages({ query, channels: page.channels, next: page.nextCursor }),
      (err: unknown) => current && setError(errorText(err, t)),
    );
    return () => {
      current = false;
    };
  }, [store, query, t]);

  const loadMore = async () => {
    if (!pages?.next) return;
    setLoadingMore(true);
    try {
      const page = await store.client.request('browseChannels', {
        ...(pages.query ? { query: pages.query } : {}),
        cursor: pages.next,
      });
      setPages((shown) =>
        shown && shown.query === pages.query
          ? { ...shown, channels: [...shown.channels, ...page.channels], next: page.nextCursor }
          : shown,
      );
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setLoadingMore(false);
    }
  };

  const join = async (channel: Channel) => {
    setBusyId(channel.id);
    try {
      await store.client.request('joinChannel', { channelId: channel.id });
      onOpen(channel.id);
    } catch (err) {
      setError(errorText(err, t));
      setBusyId(null);
    }
  };

  const shown = pages?.channels ?? [];
  const labelOf = (c: Channel) => c.displayName || c.name;
  return (
    <Dialog title={t('browse.title')} onClose={onClose} className="dialog-list">
      <SearchField id="browse-filter" label={t('browse.search')} value={filter} onValueChange={setFilter} />
      <FormError error={error} />
      <PickList loading={pages === null && !error} empty={shown.length === 0 && t('browse.empty')}>
        {shown.map((channel) => (
          <li key={channel.id} className="pick-row">
            <span className="pick-main">
              <Icon name={channel.archivedAt === null ? 'hash' : 'archive'} size={16} />
              <span className="pick-name">{labelOf(channel)}</span>
              {channel.archivedAt !== null && <span className="tag">{t('details.archived')}</span>}
              {channel.topic && <span className="pick-detail">{channel.topic}</span>}
            </span>
            {channel.joined ? (
              <button
                type="button"
                className="button small"
                onClick={() => onOpen(channel.id)}
                aria-label={t('browse.openNamed', { name: labelOf(channel) })}
              >
                {t('browse.open')}
              </button>
            ) : (
              <button
                type="button"
                className="button small primary"
                onClick={() => void join(channel)}
                disabled={busyId !== null}
                aria-label={t('browse.joinNamed', { name: labelOf(channel) })}
              >
                {t('browse.join')}
              </button>
            )}
          </li>
        ))}
      </PickList>
      {pages?.next && (
        <button type="button" className="button wide" onClick={() => void loadMore()} disabled={loadingMore}>
          {loadingMore ? t('common.loading') : t('browse.more')}
        </button>
      )}
    </Dialog>
  );
}

export function StartDirectDialog({ onClose, onOpen }: DialogCommon) {
  const { t } = useTranslation();
  const store = useStore();
  const users = useUi((s) => s.users);
  const me = useUi((s) => s.user);
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const q = filter.trim().toLowerCase();
  const shown = [...users.values()]
    .filter((u) => u.id !== me?.id && (u.username.includes(q) || u.displayName.toLowerCase().includes(q)))
    .sort((a, b) => a.displayName.localeCompare(b.displayName));

  const start = async (userId: string) => {
    setBusy(true);
    try {
      const channel = await store.client.request('openDirect', { userId });
      onOpen(channel.id);
    } catch (err) {
      setError(errorText(err, t));
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('direct.title')} onClose={onClose} className="dialog-list">
      <SearchField id="direct-filter" label={t('direct.search')} value={filter} onValueChange={setFilter} />
      <FormError error={error} />
      <PickList loading={false} empty={shown.length === 0 && t('direct.empty')}>
        {shown.map((user) => (
          <li key={user.id} className="pick-row">
            <button type="button" className="pick-button" onClick={() => void start(user.id)} disabled={busy}>
              <PresenceDot status={user.presence} />
              <span className="pick-name">{user.displayName}</span>
              <span className="pick-detail">@{user.username}</span>
            </button>
          </li>
        ))}
      </PickList>
    </Dialog>
  );
}

/** Adds people to a channel (the only way into a private one); they see it at once. */
export function AddPeopleDialog({ channel, onClose }: { channel: ChannelSummary; onClose(): void }) {
  const { t } = useTranslation();
  const store = useStore();
  const users = useUi((s) => s.users);
  const [members, setMembers] = useState<ReadonlySet<string> | null>(null);
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [added, setAdded] = useState<string[]>([]);

  useEffect(() => {
    store.client.request('channelMembers', { channelId: channel.id }).then(
      ({ userIds }) => setMembers(new Set(userIds)),
      (err: unknown) => setError(errorText(err, t)),
    );
  }, [store, channel.id, t]);

  const q = filter.trim().toLowerCase();
  const shown = [...users.values()]
    .filter((u) => !u.deactivated && !members?.has(u.id))
    .filter((u) => u.username.includes(q) || u.displayName.toLowerCase().includes(q))
    .sort((a, b) => a.displayName.localeCompare(b.displayName));

  const add = async (user: UserWithPresence) => {
    setBusyId(user.id);
    setError(null);
    try {
      await store.client.request('inviteToChannel', { channelId: channel.id, userId: user.id });
      setMembers((known) => new Set(known).add(user.id));
      setAdded((names) => [...names, user.displayName]);
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusyId(null);
    }
  };

  return (
    <Dialog
      title={t('addPeople.title', { name: channel.displayName || channel.name })}
      description={channel.kind === 'private' ? t('addPeople.privateHint') : undefined}
      onClose={onClose}
      className="dialog-list"
    >
      <SearchField
        id="add-people-filter"
        label={t('addPeople.search')}
        value={filter}
        onValueChange={setFilter}
      />
      <p role="status" className="hint">
        {added.length > 0 && t('addPeople.added', { names: added.join(', ') })}
      </p>
      <FormError error={error} />
      <PickList loading={members === null && !error} empty={shown.length === 0 && t('addPeople.empty')}>
        {shown.map((user) => (
          <li key={user.id} className="pick-row">
            <span className="pick-main">
              <PresenceDot status={user.presence} />
              <span className="pick-name">{user.displayName}</span>
              <span className="pick-detail">@{user.username}</span>
            </span>
            <button
              type="button"
              className="button small primary"
              onClick={() => void add(user)}
              disabled={busyId !== null}
              aria-label={t('addPeople.addNamed', { name: user.displayName })}
            >
              {t('addPeople.add')}
            </button>
          </li>
        ))}
      </PickList>
      <div className="form-actions">
        <button type="button" className="button" onClick={onClose}>
          {t('common.done')}
        </button>
      </div>
    </Dialog>
  );
}

export function LeaveChannelDialog({
  channel,
  onClose,
  onLeft,
}: {
  channel: ChannelSummary;
  onClose(): void;
  onLeft(): void;
}) {
  const { t } = useTranslation();
  const store = useStore();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const leave = async () => {
    setBusy(true);
    try {
      await store.client.request('leaveChannel', { channelId: channel.id });
      onLeft();
    } catch (err) {
      setError(errorText(err, t));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t('leave.title', { name: channel.displayName || channel.name })}
      description={channel.kind === 'private' ? t('leave.privateBody') : t('leave.publicBody')}
      onClose={onClose}
    >
      <FormError error={error} />
      <div className="form-actions">
        <button type="button" className="button" onClick={onClose} data-autofocus>
          {t('common.cancel')}
        </button>
        <button type="button" className="button danger" onClick={() => void leave()} disabled={busy}>
          {t('leave.submit')}
        </button>
      </div>
    </Dialog>
  );
}

/** A list to pick from, or while it loads a status line, or when it is empty a note saying so. */
function PickList({
  loading,
  empty,
  children,
}: {
  loading: boolean;
  /** The note to show instead of the list, or false when there are rows. */
  empty: string | false;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  if (loading) {
    return (
      <p className="muted" role="status">
        {t('common.loading')}
      </p>
    );
  }
  if (empty !== false) return <p className="muted">{empty}</p>;
  return <ul className="pick-list">{children}</ul>;
}

// A channel's details beside it: its name and link name, topic and purpose (members edit them; in
// an archived channel only its creator and admins), who is in it with their presence, adding
// people, renaming and archiving (its creator and admins), and leaving. Per-channel notification
// settings get a section here once they exist.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { slugFromName, type ChannelSummary, type UpdateChannelRequest } from '@switchboard/protocol';
import { channelLabel, errorText } from '../format.ts';
import { useStore, useUi } from '../state/store.ts';
import { AddPeopleDialog } from './ChannelDialogs.tsx';
import { Dialog } from './Dialog.tsx';
import { FormActions, FormError, TextField } from './Form.tsx';
import { Icon, IconButton } from './Icon.tsx';
import { PresenceDot } from './PresenceDot.tsx';

type Changes = Omit<UpdateChannelRequest, 'channelId'>;

/** A dialog that changes the channel's details. */
interface ChangeDialogProps {
  channel: ChannelSummary;
  onClose(): void;
  onSave(changes: Changes): Promise<void>;
}

/** Runs a save, then `onDone`; a refusal is kept as the error to show instead. */
function useSave<T>(onSave: (value: T) => Promise<void>, onDone: () => void) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const save = async (value: T) => {
    try {
      await onSave(value);
      setError(null);
      onDone();
    } catch (err) {
      setError(errorText(err, t));
    }
  };
  return { error, save };
}

export function ChannelDetails({
  channel,
  onClose,
  onLeave,
}: {
  channel: ChannelSummary;
  onClose(): void;
  onLeave(channel: ChannelSummary): void;
}) {
  const { t } = useTranslation();
  const store = useStore();
  const me = useUi((s) => s.user)!;
  const users = useUi((s) => s.users);
  const [members, setMembers] = useState<string[] | null>(null);
  const [dialog, setDialog] = useState<'rename' | 'archive' | 'addPeople' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();
  // Someone added, from here or anywhere, shows in the channel as a notice: read the members again then.
  const lastNotice = useUi((s) => s.views[channel.id]?.messages.findLast((m) => m.kind === 'notice')?.id);
  const archived = channel.archivedAt !== null;
  const manages = me.isAdmin || channel.createdBy === me.id;
  const describes = manages || !archived;

  useEffect(() => {
    store.client.request('channelMembers', { channelId: channel.id }).then(
      ({ userIds }) => setMembers(userIds),
      (err: unknown) => setError(errorText(err, t)),
    );
  }, [store, channel.id, channel.changeSeq, lastNotice, dialog, t]);

  const update = async (changes: Changes) => {
    await store.client.request('updateChannel', { channelId: channel.id, ...changes });
  };
  const people = (members ?? [])
    .map((id) => users.get(id))
    .filter((u) => u !== undefined)
    .sort((a, b) => a.displayName.localeCompare(b.displayName));

  return (
    <aside className="side-panel details-panel" aria-labelledby={titleId}>
      <div className="side-panel-header">
        <h2 id={titleId}>{t('details.title')}</h2>
        <IconButton icon="close" label={t('details.close')} onClick={onClose} />
      </div>
      <div className="side-panel-body">
        <FormError error={error} />
        <section className="details-section" aria-label={t('details.about')}>
          <dl className="details-list">
            <dt>{t('details.name')}</dt>
            <dd>{channelLabel(channel, users, me.id, t)}</dd>
            <dt>{t('details.slug')}</dt>
            <dd>
              <code>#{channel.name}</code>
              <span className="hint">{t('details.slugHint')}</span>
            </dd>
            {archived && (
              <>
                <dt>{t('details.status')}</dt>
                <dd>{t('details.archived')}</dd>
              </>
            )}
          </dl>
          <EditableText
            label={t('details.topic')}
            empty={t('details.noTopic')}
            value={channel.topic}
            editable={describes}
            onSave={(topic) => update({ topic })}
          />
          <EditableText
            label={t('details.purpose')}
            empty={t('details.noPurpose')}
            value={channel.purpose}
            editable={describes}
            onSave={(purpose) => update({ purpose })}
          />
        </section>

        <section className="details-section" aria-labelledby={`${titleId}-members`}>
          <div className="section-head">
            <h3 id={`${titleId}-members`}>{t('details.members', { count: people.length })}</h3>
            {!archived && (
              <button type="button" className="button subtle small" onClick={() => setDialog('addPeople')}>
                <Icon name="addPerson" size={16} />
                {t('channel.addPeople')}
              </button>
            )}
          </div>
          {members === null ? (
            <p className="muted">{t('common.loading')}</p>
          ) : (
            <ul className="member-list">
              {people.map((user) => (
                <li key={user.id}>
                  <PresenceDot status={user.presence} />
                  <span>{user.displayName}</span>
                  <span className="pick-detail">@{user.username}</span>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section className="details-section details-actions" aria-label={t('details.actions')}>
          {manages && (
            <>
              <button type="button" className="button small" onClick={() => setDialog('rename')}>
                <Icon name="edit" size={16} />
                {t('details.rename')}
              </button>
              <button type="button" className="button small" onClick={() => setDialog('archive')}>
                <Icon name="archive" size={16} />
                {archived ? t('details.unarchive') : t('details.archive')}
              </button>
            </>
          )}
          <button type="button" className="button small" onClick={() => onLeave(channel)}>
            <Icon name="leave" size={16} />
            {t('channel.leave')}
          </button>
        </section>
      </div>

      {dialog === 'rename' && (
        <RenameDialog channel={channel} onClose={() => setDialog(null)} onSave={update} />
      )}
      {dialog === 'archive' && (
        <ArchiveDialog channel={channel} onClose={() => setDialog(null)} onSave={update} />
      )}
      {dialog === 'addPeople' && <AddPeopleDialog channel={channel} onClose={() => setDialog(null)} />}
    </aside>
  );
}

/** A detail shown as text, with an Edit button that turns it into a small form. */
function EditableText({
  label,
  empty,
  value,
  editable,
  onSave,
}: {
  label: string;
  empty: string;
  value: string;
  editable: boolean;
  onSave(value: string): Promise<void>;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<string | null>(null);
  const { error, save } = useSave(onSave, () => setDraft(null));
  const id = useId();

  if (draft !== null) {
    return (
      <form
        className="details-edit"
        onSubmit={(event) => {
          event.preventDefault();
          void save(draft.trim());
        }}
      >
        <label htmlFor={id}>{label}</label>
        <textarea
          id={id}
          value={draft}
          maxLength={500}
          onChange={(e) => setDraft(e.target.value)}
          autoFocus
        />
        <FormError error={error} />
        <div className="edit-actions">
          <button type="button" className="button small" onClick={() => setDraft(null)}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button small primary">
            {t('common.save')}
          </button>
        </div>
      </form>
    );
  }
  return (
    <div className="details-text">
      <h3>{label}</h3>
      <p className={value ? undefined : 'muted'}>{value || empty}</p>
      {editable && (
        <button
          type="button"
          className="link-button"
          aria-label={t('details.editNamed', { name: label })}
          onClick={() => setDraft(value)}
        >
          {t('details.edit')}
        </button>
      )}
    </div>
  );
}

/** Renames a channel: the name people read, and (if changed) its link name. */
function RenameDialog({ channel, onClose, onSave }: ChangeDialogProps) {
  const { t } = useTranslation();
  const [name, setName] = useState(channel.displayName || channel.name);
  const [slug, setSlug] = useState(channel.name);
  const { error, save } = useSave(onSave, onClose);
  const suggested = slugFromName(name);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const changes: Changes = { displayName: name.trim() };
    if (slug !== channel.name) changes.name = slug.trim();
    void save(changes);
  };

  return (
    <Dialog title={t('details.renameTitle')} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <TextField
          id="rename-name"
          label={t('details.name')}
          value={name}
          onValueChange={setName}
          data-autofocus
        />
        <TextField
          id="rename-slug"
          label={t('details.slug')}
          hint={
            suggested && suggested !== slug
              ? t('details.slugSuggest', { slug: suggested })
              : t('details.slugKeep')
          }
          value={slug}
          onValueChange={setSlug}
          autoCapitalize="none"
          spellCheck={false}
        />
        <FormError error={error} />
        <FormActions submit={t('details.renameSubmit')} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

/** Archives a channel (read-only, out of the sidebar, still readable) or brings it back. */
function ArchiveDialog({ channel, onClose, onSave }: ChangeDialogProps) {
  const { t } = useTranslation();
  const { error, save } = useSave(onSave, onClose);
  const archived = channel.archivedAt !== null;
  const label = channel.displayName || channel.name;

  return (
    <Dialog
      title={
        archived ? t('details.unarchiveTitle', { name: label }) : t('details.archiveTitle', { name: label })
      }
      description={archived ? t('details.unarchiveBody') : t('details.archiveBody')}
      onClose={onClose}
    >
      <FormError error={error} />
      <div className="form-actions">
        <button type="button" className="button" onClick={onClose} data-autofocus>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className={archived ? 'button primary' : 'button danger'}
          onClick={() => void save({ archived: !archived })}
        >
          {archived ? t('details.unarchive') : t('details.archive')}
        </button>
      </div>
    </Dialog>
  );
}

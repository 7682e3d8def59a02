// The admin area: people (role, last seen, deactivate and reactivate, make admin, a password reset
// link), and invites with the registration policy they depend on. Everything here is a request to the
// session core, which asks the server with this sign-in session (admins only, sessions only).
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Invite, ManagedUser, RegistrationPolicy, RegistrationSetting } from '@switchboard/protocol';
import { errorText, formatDateTime } from '../format.ts';
import { useStore, useUi } from '../state/store.ts';
import { CopyField } from './CopyField.tsx';
import { FormError, SearchField } from './Form.tsx';
import { PresenceDot } from './PresenceDot.tsx';

/** Runs one admin action at a time, with its error; `run` resolves once the action is done. */
function useAction() {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    async (work: () => Promise<void>) => {
      setBusy(true);
      setError(null);
      try {
        await work();
      } catch (err) {
        setError(errorText(err, t));
      } finally {
        setBusy(false);
      }
    },
    [t],
  );
  return { busy, error, setError, run };
}

export function PeoplePanel() {
  const { t, i18n } = useTranslation();
  const store = useStore();
  const me = useUi((s) => s.user)!;
  const known = useUi((s) => s.users);
  const [people, setPeople] = useState<ManagedUser[] | null>(null);
  const [filter, setFilter] = useState('');
  const [reset, setReset] = useState<{ userId: string; url: string } | null>(null);
  const { busy, error, setError, run } = useAction();

  // Read again when someone joins or an account changes elsewhere (not on every presence change).
  const accounts = useMemo(
    () =>
      [...known.values()]
        .map((u) => `${u.id}:${u.displayName}:${u.isAdmin}:${u.deactivated}`)
        .sort()
        .join(),
    [known],
  );
  const load = useCallback(
    () =>
      store.client.request('listPeople', {}).then(
        ({ users }) => setPeople(users),
        (err: unknown) => setError(errorText(err, t)),
      ),
    [store, t, setError],
  );
  useEffect(() => void load(), [load, accounts]);

  const q = filter.trim().toLowerCase();
  const shown = (people ?? []).filter(
    (u) => u.username.includes(q) || u.displayName.toLowerCase().includes(q),
  );
  const update = (user: ManagedUser, change: { isAdmin?: boolean; deactivated?: boolean }) =>
    run(async () => {
      await store.client.request('updatePerson', { userId: user.id, ...change });
      await load();
    });
  const resetLink = (user: ManagedUser) =>
    run(async () => {
      const { url } = await store.client.request('resetLink', { userId: user.id });
      setReset({ userId: user.id, url });
    });

  const seen = (user: ManagedUser) =>
    user.presence === 'online'
      ? t('people.online')
      : user.lastSeenAt === null
        ? t('people.neverSeen')
        : t('people.lastSeen', { time: formatDateTime(user.lastSeenAt, i18n.language) });

  return (
    <section aria-labelledby="people-title">
      <h3 id="people-title" className="sr-only">
        {t('settings.tabs.people')}
      </h3>
      <SearchField id="people-filter" label={t('people.search')} value={filter} onValueChange={setFilter} />
      <FormError error={error} />
      {people === null && !error ? (
        <p role="status" className="muted">
          {t('common.loading')}
        </p>
      ) : (
        <ul className="pick-list people-list" aria-labelledby="people-title">
          {shown.map((user) => (
            <li key={user.id} className="person-row" data-testid="person">
              <div className="person-main">
                <PresenceDot status={user.presence} />
                <span className="pick-main stacked">
                  <span className="pick-name">
                    {user.displayName}
                    {user.id === me.id && <span className="tag">{t('people.you')}</span>}
                    {user.isAdmin && <span className="tag tag-accent">{t('people.admin')}</span>}
                    {user.deactivated && <span className="tag tag-danger">{t('people.deactivated')}</span>}
                  </span>
                  <span className="pick-detail">
                    @{user.username} · {seen(user)}
                  </span>
                </span>
              </div>
              {user.id !== me.id && (
                <div
                  className="person-actions"
                  role="group"
                  aria-label={t('people.actionsFor', { name: user.displayName })}
                >
                  {!user.deactivated && (
                    <button
                      type="button"
                      className="button small"
                      disabled={busy}
                      onClick={() => void update(user, { isAdmin: !user.isAdmin })}
                    >
                      {user.isAdmin ? t('people.removeAdmin') : t('people.makeAdmin')}
                    </button>
                  )}
                  {!user.deactivated && (
                    <button
                      type="button"
                      className="button small"
                      disabled={busy}
                      onClick={() => void resetLink(user)}
                    >
                      {t('people.resetPassword')}
                    </button>
                  )}
                  <button
                    type="button"
                    className={user.deactivated ? 'button small' : 'button small danger'}
                    disabled={busy}
                    onClick={() => void update(user, { deactivated: !user.deactivated })}
                  >
                    {user.deactivated ? t('people.reactivate') : t('people.deactivate')}
                  </button>
                </div>
              )}
              {reset?.userId === user.id && (
                <CopyField
                  id={`reset-${user.id}`}
                  label={t('people.resetLinkFor', { name: user.displayName })}
                  value={reset.url}
                  hint={t('people.resetHint', { name: user.displayName })}
                />
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const INVITE_USES = [1, 5, 10, 25, 100] as const;
const INVITE_DAYS = [1, 7, 30] as const;
const POLICIES: RegistrationPolicy[] = ['closed', 'invite', 'open'];

export function InvitesPanel() {
  const { t, i18n } = useTranslation();
  const store = useStore();
  const [setting, setSetting] = useState<RegistrationSetting | null>(null);
  const [invites, setInvites] = useState<Invite[] | null>(null);
  const [uses, setUses] = useState<number>(1);
  const [days, setDays] = useState<number>(7);
  const [made, setMade] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();

  const loadInvites = useCallback(
    () => store.client.request('listInvites', {}).then(({ invites: open }) => setInvites(open)),
    [store],
  );
  useEffect(() => {
    Promise.all([store.client.request('getRegistration', {}).then(setSetting), loadInvites()]).catch(
      (err: unknown) => setError(errorText(err, t)),
    );
  }, [store, loadInvites, setError, t]);

  // Shown chosen at once (a radio must not flick back while the server answers); undone if refused.
  const choose = (registration: RegistrationPolicy) => {
    const before = setting;
    setSetting((current) => current && { ...current, registration });
    return run(async () => {
      try {
        setSetting(await store.client.request('setRegistration', { registration }));
      } catch (err) {
        setSetting(before);
        throw err;
      }
    });
  };
  const create = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const invite = await store.client.request('createInvite', { uses, expiresInDays: days });
      setMade(invite.url);
      await loadInvites();
    });
  };
  const revoke = (invite: Invite) =>
    run(async () => {
      await store.client.request('revokeInvite', { inviteId: invite.id });
      await loadInvites();
    });
  const invitesWork = setting !== null && setting.registration !== 'closed';

  return (
    <>
      <fieldset className="field choices settings-section" disabled={!setting || setting.locked || busy}>
        <legend>{t('invites.registration')}</legend>
        {POLICIES.map((policy) => (
          <label key={policy} className="choice">
            <input
              type="radio"
              name="registration"
              value={policy}
              checked={setting?.registration === policy}
              onChange={() => void choose(policy)}
            />
            <span>
              <strong>{t(`invites.policy.${policy}`)}</strong>
              <span className="hint">{t(`invites.policyHint.${policy}`)}</span>
            </span>
          </label>
        ))}
        {setting?.locked && <p className="hint">{t('invites.locked')}</p>}
      </fieldset>

      <form className="settings-section" onSubmit={create} aria-labelledby="invite-create-title">
        <h3 id="invite-create-title">{t('invites.create')}</h3>
        <div className="field-row">
          <div className="field">
            <label htmlFor="invite-uses">{t('invites.uses')}</label>
            <select id="invite-uses" value={uses} onChange={(e) => setUses(Number(e.target.value))}>
              {INVITE_USES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="invite-days">{t('invites.expires')}</label>
            <select id="invite-days" value={days} onChange={(e) => setDays(Number(e.target.value))}>
              {INVITE_DAYS.map((n) => (
                <option key={n} value={n}>
                  {t('invites.days', { count: n })}
                </option>
              ))}
            </select>
          </div>
        </div>
        {setting !== null && !invitesWork && <p className="hint">{t('invites.needsPolicy')}</p>}
        <div className="section-actions">
          <span />
          <button type="submit" className="button primary" disabled={busy || !invitesWork}>
            {t('invites.createButton')}
          </button>
        </div>
        {made && (
          <CopyField id="invite-link" label={t('invites.link')} value={made} hint={t('invites.linkHint')} />
        )}
      </form>

      <section className="settings-section" aria-labelledby="invites-open-title">
        <h3 id="invites-open-title">{t('invites.open')}</h3>
        <FormError error={error} />
        {invites === null ? (
          !error && (
            <p role="status" className="muted">
              {t('common.loading')}
            </p>
          )
        ) : invites.length === 0 ? (
          <p className="muted">{t('invites.none')}</p>
        ) : (
          <ul className="pick-list" aria-labelledby="invites-open-title">
            {invites.map((invite) => {
              const made = formatDateTime(invite.createdAt, i18n.language);
              return (
                <li key={invite.id} className="pick-row" data-testid="invite">
                  <span className="pick-main stacked">
                    <span className="pick-name">{t('invites.usesLeft', { count: invite.usesLeft })}</span>
                    <span className="pick-detail">
                      {t('invites.made', { time: made })} ·{' '}
                      {t('invites.expiresAt', { time: formatDateTime(invite.expiresAt, i18n.language) })}
                    </span>
                  </span>
                  <button
                    type="button"
                    className="button small danger"
                    disabled={busy}
                    aria-label={t('invites.revokeNamed', { time: made })}
                    onClick={() => void revoke(invite)}
                  >
                    {t('invites.revoke')}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </>
  );
}

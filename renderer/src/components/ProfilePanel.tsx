// The signed-in user's own account: the name others see, the password (the current one first; the
// server's sign-in limits apply), and the devices signed in, each of which can be signed out.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MIN_PASSWORD_LENGTH, type DeviceSession } from '@switchboard/protocol';
import { errorText, formatDateTime } from '../format.ts';
import { useStore, useUi } from '../state/store.ts';
import {
  CurrentPasswordField,
  FormError,
  NewPasswordFields,
  newPasswordProblem,
  TextField,
} from './Form.tsx';

export function ProfilePanel() {
  // A password change signs the other devices out: the list is read again after one.
  const [passwordChanges, setPasswordChanges] = useState(0);
  return (
    <>
      <DisplayNameForm />
      <PasswordForm onChanged={() => setPasswordChanges((n) => n + 1)} />
      <Devices key={passwordChanges} />
    </>
  );
}

function DisplayNameForm() {
  const { t } = useTranslation();
  const store = useStore();
  const me = useUi((s) => s.user)!;
  const [name, setName] = useState(me.displayName);
  const [status, setStatus] = useState<{ error: string | null; saved: boolean }>({
    error: null,
    saved: false,
  });
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const displayName = name.trim();
    if (!displayName) return setStatus({ error: t('profile.nameMissing'), saved: false });
    setBusy(true);
    try {
      await store.client.request('setDisplayName', { displayName });
      setName(displayName);
      setStatus({ error: null, saved: true });
    } catch (err) {
      setStatus({ error: errorText(err, t), saved: false });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="settings-section" onSubmit={submit} noValidate aria-labelledby="profile-name-title">
      <h3 id="profile-name-title">{t('profile.nameTitle')}</h3>
      <TextField
        id="profile-display-name"
        label={t('profile.displayName')}
        hint={t('profile.displayNameHint', { username: me.username })}
        value={name}
        maxLength={128}
        autoComplete="nickname"
        onValueChange={(value) => {
          setName(value);
          setStatus({ error: null, saved: false });
        }}
      />
      <FormError error={status.error} />
      <div className="section-actions">
        <p role="status" className="hint">
          {status.saved && t('profile.nameSaved')}
        </p>
        <button type="submit" className="button" disabled={busy || name.trim() === me.displayName}>
          {t('profile.saveName')}
        </button>
      </div>
    </form>
  );
}

function PasswordForm({ onChanged }: { onChanged(): void }) {
  const { t } = useTranslation();
  const store = useStore();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [revokeAllTokens, setRevokeAllTokens] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    if (!current) return setError(t('profile.currentMissing'));
    const problem = newPasswordProblem(next, confirm);
    if (problem) return setError(t(problem, { count: MIN_PASSWORD_LENGTH }));
    setBusy(true);
    setError(null);
    try {
      await store.client.request('changePassword', {
        currentPassword: current,
        newPassword: next,
        ...(revokeAllTokens ? { revokeAllTokens } : {}),
      });
      setCurrent('');
      setNext('');
      setConfirm('');
      setDone(true);
      onChanged();
    } catch (err) {
      const code = (err as { code?: string }).code;
      setError(code === 'unauthorized' ? t('profile.currentWrong') : errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="settings-section" onSubmit={submit} noValidate aria-labelledby="profile-password-title">
      <h3 id="profile-password-title">{t('profile.passwordTitle')}</h3>
      <CurrentPasswordField
        id="profile-current-password"
        label={t('profile.currentPassword')}
        value={current}
        onValueChange={setCurrent}
      />
      <NewPasswordFields
        idPrefix="profile-new"
        password={next}
        confirm={confirm}
        onPassword={setNext}
        onConfirm={setConfirm}
      />
      <div className="field choices">
        <label className="choice">
          <input
            type="checkbox"
            checked={revokeAllTokens}
            onChange={(e) => setRevokeAllTokens(e.target.checked)}
          />
          <span>{t('profile.revokeTokens')}</span>
        </label>
        <p className="hint">{t('profile.passwordNote')}</p>
      </div>
      <FormError error={error} />
      <div className="section-actions">
        <p role="status" className="hint">
          {done && t('profile.passwordChanged')}
        </p>
        <button type="submit" className="button" disabled={busy}>
          {t('profile.changePassword')}
        </button>
      </div>
    </form>
  );
}

function Devices() {
  const { t, i18n } = useTranslation();
  const store = useStore();
  const [sessions, setSessions] = useState<DeviceSession[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    () =>
      store.client.request('listSessions', {}).then(
        ({ sessions: listed }) => setSessions(listed),
        (err: unknown) => setError(errorText(err, t)),
      ),
    [store, t],
  );
  useEffect(() => void load(), [load]);

  const act = async (work: () => Promise<string | null>) => {
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      setNote(await work());
      await load();
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };
  const deviceName = (session: DeviceSession) => session.device || t('profile.unknownDevice');
  const others = (sessions ?? []).filter((s) => !s.current);

  return (
    <section className="settings-section" aria-labelledby="profile-devices-title">
      <h3 id="profile-devices-title">{t('profile.devices')}</h3>
      <FormError error={error} />
      {sessions === null && !error ? (
        <p role="status" className="muted">
          {t('common.loading')}
        </p>
      ) : (
        <ul className="pick-list" aria-labelledby="profile-devices-title">
          {(sessions ?? []).map((session) => (
            <li key={session.id} className="pick-row">
              <span className="pick-main stacked">
                <span className="pick-name">
                  {deviceName(session)}
                  {session.current && <span className="tag">{t('profile.thisDevice')}</span>}
                </span>
                <span className="pick-detail">
                  {t('profile.signedInAt', { time: formatDateTime(session.createdAt, i18n.language) })}
                  {session.lastUsedAt !== null &&
                    ` · ${t('profile.lastActive', { time: formatDateTime(session.lastUsedAt, i18n.language) })}`}
                </span>
              </span>
              {!session.current && (
                <button
                  type="button"
                  className="button small"
                  disabled={busy}
                  aria-label={t('profile.signOutNamed', { device: deviceName(session) })}
                  onClick={() =>
                    void act(async () => {
                      await store.client.request('endSession', { sessionId: session.id });
                      return null;
                    })
                  }
                >
                  {t('profile.signOut')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <div className="section-actions">
        <p role="status" className="hint">
          {note ?? (sessions !== null && others.length === 0 ? t('profile.onlyThisDevice') : '')}
        </p>
        <button
          type="button"
          className="button"
          disabled={busy || others.length === 0}
          onClick={() =>
            void act(async () => {
              const { ended } = await store.client.request('endOtherSessions', {});
              return t('profile.signedOutOthers', { count: ended });
            })
          }
        >
          {t('profile.signOutOthers')}
        </button>
      </div>
    </section>
  );
}

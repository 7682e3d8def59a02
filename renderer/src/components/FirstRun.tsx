// Before there is a session: choose the server (desktop only), then sign in — or, on a server
// with no users yet, create the first admin with the one-time setup code the server printed, or,
// where the server allows it, create an account (with an invite code, which an invite link
// `/?invite=CODE` fills in).
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { NAME_PATTERN } from '@switchboard/protocol';
import { errorText } from '../format.ts';
import { servingOrigin } from '../session/origin.ts';
import type { RequestResults } from '../session/types.ts';
import { useStore, useUi } from '../state/hooks.tsx';

type AuthStatus = RequestResults['authStatus'];
type Registration = AuthStatus['registration'];

const INVITE_PARAM = 'invite';

export function FirstRun() {
  const { t } = useTranslation();
  const store = useStore();
  const serverUrl = useUi((s) => s.serverUrl);
  const origin = servingOrigin();
  const [changingServer, setChangingServer] = useState(false);
  const [status, setStatus] = useState<AuthStatus | null>(null);
  const [statusError, setStatusError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [invite] = useState(() => new URLSearchParams(location.search).get(INVITE_PARAM));
  const [registering, setRegistering] = useState(invite !== null);

  useEffect(() => {
    if (origin && serverUrl !== origin) void store.client.request('setServer', { serverUrl: origin });
  }, [origin, serverUrl, store]);

  const activeServer = origin ?? serverUrl;
  useEffect(() => {
    if (!activeServer || serverUrl !== activeServer) return;
    let current = true;
    setStatus(null);
    setStatusError(null);
    store.client.request('authStatus', {}).then(
      (result) => current && setStatus(result),
      (err: unknown) => current && setStatusError(errorText(err, t)),
    );
    return () => {
      current = false;
    };
  }, [activeServer, serverUrl, store, attempt, t]);

  let body;
  if (!origin && (!serverUrl || changingServer)) {
    body = <ServerStep initial={serverUrl ?? ''} onDone={() => setChangingServer(false)} />;
  } else if (statusError) {
    body = (
      <div className="first-run-problem">
        <p role="alert">{t('firstRun.unreachable', { server: activeServer, reason: statusError })}</p>
        <div className="form-actions">
          <button type="button" className="button primary" onClick={() => setAttempt((n) => n + 1)}>
            {t('common.retry')}
          </button>
          {!origin && (
            <button type="button" className="button" onClick={() => setChangingServer(true)}>
              {t('signIn.changeServer')}
            </button>
          )}
        </div>
      </div>
    );
  } else if (!status) {
    body = (
      <p role="status" className="muted">
        {t('firstRun.checking')}
      </p>
    );
  } else if (status.setupRequired) {
    body = <SetupForm />;
  } else if (registering && status.registration !== 'closed') {
    body = (
      <RegisterForm
        registration={status.registration}
        invite={invite ?? ''}
        onSignIn={() => setRegistering(false)}
      />
    );
  } else {
    body = (
      <SignInForm
        onChangeServer={origin ? undefined : () => setChangingServer(true)}
        onRegister={status.registration === 'closed' ? undefined : () => setRegistering(true)}
      />
    );
  }

  return (
    <main className="first-run">
      <div className="first-run-card">
        <div className="brand" aria-hidden="true">
          <span className="brand-mark" />
          Switchboard
        </div>
        {body}
        {activeServer && !changingServer && <p className="first-run-server muted">{activeServer}</p>}
      </div>
    </main>
  );
}

function ServerStep({ initial, onDone }: { initial: string; onDone(): void }) {
  const { t } = useTranslation();
  const store = useStore();
  const [address, setAddress] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = address.trim();
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
    let url: URL;
    try {
      url = new URL(withScheme);
      if (!/^https?:$/.test(url.protocol)) throw new Error('scheme');
    } catch {
      setError(t('server.invalid'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await store.client.request('setServer', { serverUrl: url.origin });
      onDone();
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate>
      <h1>{t('server.title')}</h1>
      <p className="muted">{t('server.intro')}</p>
      <div className="field">
        <label htmlFor="server-address">{t('server.address')}</label>
        <input
          id="server-address"
          type="url"
          inputMode="url"
          autoComplete="url"
          placeholder="https://chat.example.com"
          value={address}
          onChange={(e) => setAddress(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'server-error' : undefined}
          required
          autoFocus
        />
      </div>
      {error && (
        <p id="server-error" role="alert" className="form-error">
          {error}
        </p>
      )}
      <button type="submit" className="button primary wide" disabled={busy || address.trim() === ''}>
        {t('server.continue')}
      </button>
    </form>
  );
}

function SignInForm({
  onChangeServer,
  onRegister,
}: {
  onChangeServer: (() => void) | undefined;
  onRegister: (() => void) | undefined;
}) {
  const { t } = useTranslation();
  const store = useStore();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!username.trim() || !password) {
      setError(t('signIn.missing'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await store.client.request('signIn', { username: username.trim().toLowerCase(), password });
    } catch (err) {
      const code = (err as { code?: string }).code;
      setError(code === 'unauthorized' ? t('signIn.wrong') : errorText(err, t));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-busy={busy}>
      <h1>{t('signIn.title')}</h1>
      <div className="field">
        <label htmlFor="sign-in-username">{t('signIn.username')}</label>
        <input
          id="sign-in-username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoFocus
        />
      </div>
      <div className="field">
        <label htmlFor="sign-in-password">{t('signIn.password')}</label>
        <input
          id="sign-in-password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </div>
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      <button type="submit" className="button primary wide" disabled={busy}>
        {busy ? t('signIn.busy') : t('signIn.submit')}
      </button>
      {onRegister && (
        <button type="button" className="button wide" onClick={onRegister}>
          {t('signIn.createAccount')}
        </button>
      )}
      {onChangeServer && (
        <button type="button" className="link-button" onClick={onChangeServer}>
          {t('signIn.changeServer')}
        </button>
      )}
    </form>
  );
}

function SetupForm() {
  const { t } = useTranslation();
  const store = useStore();
  const [setupCode, setSetupCode] = useState('');
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const name = username.trim().toLowerCase();
    if (!setupCode.trim()) return setError(t('setup.codeMissing'));
    if (!NAME_PATTERN.test(name)) return setError(t('setup.usernameInvalid'));
    if (password.length < 8) return setError(t('setup.passwordShort'));
    if (password !== confirm) return setError(t('setup.passwordsDiffer'));
    setBusy(true);
    setError(null);
    try {
      await store.client.request('setupAdmin', { setupCode: setupCode.trim(), username: name, password });
    } catch (err) {
      const code = (err as { code?: string }).code;
      // The server says only "closed or wrong" (forbidden): the code is what the person can fix.
      setError(code === 'forbidden' ? t('setup.codeWrong') : errorText(err, t));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-busy={busy}>
      <h1>{t('setup.title')}</h1>
      <p className="muted">{t('setup.intro')}</p>
      <div className="field">
        <label htmlFor="setup-code">{t('setup.code')}</label>
        <input
          id="setup-code"
          autoComplete="one-time-code"
          spellCheck={false}
          value={setupCode}
          onChange={(e) => setSetupCode(e.target.value)}
          autoFocus
        />
      </div>
      <div className="field">
        <label htmlFor="setup-username">{t('signIn.username')}</label>
        <input
          id="setup-username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          aria-describedby="setup-username-hint"
        />
        <p id="setup-username-hint" className="hint">
          {t('setup.usernameHint')}
        </p>
      </div>
      <div className="field">
        <label htmlFor="setup-password">{t('signIn.password')}</label>
        <input
          id="setup-password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-describedby="setup-password-hint"
        />
        <p id="setup-password-hint" className="hint">
          {t('setup.passwordHint')}
        </p>
      </div>
      <div className="field">
        <label htmlFor="setup-confirm">{t('setup.confirm')}</label>
        <input
          id="setup-confirm"
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
        />
      </div>
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      <button type="submit" className="button primary wide" disabled={busy}>
        {busy ? t('setup.busy') : t('setup.submit')}
      </button>
    </form>
  );
}

function RegisterForm({
  registration,
  invite: linked,
  onSignIn,
}: {
  registration: Exclude<Registration, 'closed'>;
  invite: string;
  onSignIn(): void;
}) {
  const { t } = useTranslation();
  const store = useStore();
  const needsInvite = registration === 'invite';
  const [invite, setInvite] = useState(linked);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const name = username.trim().toLowerCase();
    const code = invite.trim();
    if (needsInvite && !code) return setError(t('register.inviteMissing'));
    if (!NAME_PATTERN.test(name)) return setError(t('setup.usernameInvalid'));
    if (password.length < 8) return setError(t('setup.passwordShort'));
    if (password !== confirm) return setError(t('setup.passwordsDiffer'));
    setBusy(true);
    setError(null);
    try {
      await store.client.request('register', {
        username: name,
        password,
        ...(needsInvite ? { invite: code } : {}),
      });
      // The link has done its job: a reload or a bookmark should not offer it again.
      const url = new URL(location.href);
      url.searchParams.delete(INVITE_PARAM);
      history.replaceState(null, '', url);
    } catch (err) {
      const errorCode = (err as { code?: string }).code;
      setError(
        errorCode === 'conflict'
          ? t('register.taken')
          : errorCode === 'forbidden' && needsInvite
            ? t('register.inviteWrong')
            : errorText(err, t),
      );
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-busy={busy}>
      <h1>{t('register.title')}</h1>
      <p className="muted">{needsInvite ? t('register.introInvite') : t('register.intro')}</p>
      {needsInvite && (
        <div className="field">
          <label htmlFor="register-invite">{t('register.invite')}</label>
          <input
            id="register-invite"
            autoComplete="off"
            spellCheck={false}
            value={invite}
            onChange={(e) => setInvite(e.target.value)}
            autoFocus={!linked}
          />
        </div>
      )}
      <div className="field">
        <label htmlFor="register-username">{t('signIn.username')}</label>
        <input
          id="register-username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          aria-describedby="register-username-hint"
          autoFocus={!needsInvite || Boolean(linked)}
        />
        <p id="register-username-hint" className="hint">
          {t('setup.usernameHint')}
        </p>
      </div>
      <div className="field">
        <label htmlFor="register-password">{t('signIn.password')}</label>
        <input
          id="register-password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-describedby="register-password-hint"
        />
        <p id="register-password-hint" className="hint">
          {t('setup.passwordHint')}
        </p>
      </div>
      <div className="field">
        <label htmlFor="register-confirm">{t('setup.confirm')}</label>
        <input
          id="register-confirm"
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
        />
      </div>
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      <button type="submit" className="button primary wide" disabled={busy}>
        {busy ? t('register.busy') : t('register.submit')}
      </button>
      <button type="button" className="link-button" onClick={onSignIn}>
        {t('register.signIn')}
      </button>
    </form>
  );
}

// Before there is a session: choose the server (desktop only), then sign in — or, on a server
// with no users yet, create the first admin with the one-time setup code the server printed, or,
// where the server allows it, create an account (with an invite code, which an invite link
// `/?invite=CODE` fills in), or set a new password with a reset link (`/?reset=CODE`). On the desktop
// the person may instead host a server on this computer, becoming its first admin.
import { useEffect, useState, type ComponentProps, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { MIN_PASSWORD_LENGTH, NAME_PATTERN } from '@switchboard/protocol';
import { errorText } from '../format.ts';
import { desktopBridge } from '../session/connect.ts';
import { servingOrigin } from '../session/origin.ts';
import type { RequestResults } from '../session/types.ts';
import { useStore, useUi } from '../state/store.ts';
import {
  CurrentPasswordField,
  FormError,
  NewPasswordFields,
  newPasswordProblem,
  TextField,
} from './Form.tsx';

type AuthStatus = RequestResults['authStatus'];
type Registration = AuthStatus['registration'];

const INVITE_PARAM = 'invite';
const RESET_PARAM = 'reset';

/** Takes a link's one-time code out of the address: a reload or a bookmark should not offer it again. */
function forgetLinkParam(param: string): void {
  const url = new URL(location.href);
  url.searchParams.delete(param);
  history.replaceState(null, '', url);
}

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
  const [reset, setReset] = useState(() => new URLSearchParams(location.search).get(RESET_PARAM));
  const [registering, setRegistering] = useState(invite !== null);
  const [hosting, setHosting] = useState(false);

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
  if (hosting) {
    body = <HostForm onDone={() => setHosting(false)} />;
  } else if (!origin && (!serverUrl || changingServer)) {
    body = (
      <ServerStep
        initial={serverUrl ?? ''}
        onDone={() => setChangingServer(false)}
        onHost={desktopBridge() && !serverUrl ? () => setHosting(true) : undefined}
      />
    );
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
  } else if (reset !== null) {
    body = (
      <ResetForm
        code={reset}
        onSignIn={() => {
          forgetLinkParam(RESET_PARAM);
          setReset(null);
        }}
      />
    );
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
        closedHint={status.registration === 'closed'}
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

function ServerStep({
  initial,
  onDone,
  onHost,
}: {
  initial: string;
  onDone(): void;
  /** Desktop, for an account on no server yet: host one on this computer instead. */
  onHost: (() => void) | undefined;
}) {
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
      <TextField
        id="server-address"
        label={t('server.address')}
        type="url"
        inputMode="url"
        autoComplete="url"
        placeholder="https://chat.example.com"
        value={address}
        onValueChange={setAddress}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'server-error' : undefined}
        required
        autoFocus
      />
      <FormError id="server-error" error={error} />
      <button type="submit" className="button primary wide" disabled={busy || address.trim() === ''}>
        {t('server.continue')}
      </button>
      {onHost && (
        <button type="button" className="button wide" onClick={onHost}>
          {t('local.host')}
        </button>
      )}
    </form>
  );
}

/**
 * Desktop: main starts the server on this computer (the first time: sets it up) and says where it is
 * and its one-time setup code; with it the name and password typed here make the first admin, who is
 * then signed in. A server set up before has no code: the person signs in to it.
 */
function HostForm({ onDone }: { onDone(): void }) {
  const { t } = useTranslation();
  const store = useStore();
  const account = useNewAccount('admin');
  const { error, setError, busy, attempt } = useAttempt();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { username, password, problem } = account.check();
    if (problem) return setError(t(problem, { count: MIN_PASSWORD_LENGTH }));
    await attempt(
      async () => {
        const { url, setupCode } = await desktopBridge()!.hostLocalServer();
        await store.client.request('setServer', { serverUrl: url });
        if (setupCode) await store.client.request('setupAdmin', { setupCode, username, password });
        onDone();
      },
      () => undefined,
    );
  };

  return (
    <AuthForm
      title={t('local.hostTitle')}
      intro={t('local.hostIntro')}
      onSubmit={submit}
      busy={busy}
      error={error}
      submitLabel={busy ? t('local.hostBusy') : t('local.hostSubmit')}
      footer={
        <button type="button" className="link-button" onClick={onDone} disabled={busy}>
          {t('local.back')}
        </button>
      }
    >
      <NewAccountFields idPrefix="host" account={account} />
    </AuthForm>
  );
}

function SignInForm({
  onChangeServer,
  onRegister,
  closedHint,
}: {
  onChangeServer: (() => void) | undefined;
  onRegister: (() => void) | undefined;
  /** Registration is closed: tell a newcomer how to get in. */
  closedHint: boolean;
}) {
  const { t } = useTranslation();
  const store = useStore();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { error, setError, busy, attempt } = useAttempt();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!username.trim() || !password) {
      setError(t('signIn.missing'));
      return;
    }
    await attempt(
      () => store.client.request('signIn', { username: username.trim().toLowerCase(), password }),
      (code) => (code === 'unauthorized' ? t('signIn.wrong') : undefined),
    );
  };

  return (
    <AuthForm
      title={t('signIn.title')}
      onSubmit={submit}
      busy={busy}
      error={error}
      submitLabel={busy ? t('signIn.busy') : t('signIn.submit')}
      footer={
        <>
          {onRegister && (
            <button type="button" className="button wide" onClick={onRegister}>
              {t('signIn.createAccount')}
            </button>
          )}
          {closedHint && <p className="hint">{t('signIn.closedHint')}</p>}
          {onChangeServer && (
            <button type="button" className="link-button" onClick={onChangeServer}>
              {t('signIn.changeServer')}
            </button>
          )}
        </>
      }
    >
      <UsernameField id="sign-in-username" value={username} onValueChange={setUsername} autoFocus />
      <CurrentPasswordField
        id="sign-in-password"
        label={t('signIn.password')}
        value={password}
        onValueChange={setPassword}
      />
    </AuthForm>
  );
}

function SetupForm() {
  const { t } = useTranslation();
  const store = useStore();
  const [setupCode, setSetupCode] = useState('');
  const account = useNewAccount('admin');
  const { error, setError, busy, attempt } = useAttempt();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!setupCode.trim()) return setError(t('setup.codeMissing'));
    const { username, password, problem } = account.check();
    if (problem) return setError(t(problem, { count: MIN_PASSWORD_LENGTH }));
    await attempt(
      () => store.client.request('setupAdmin', { setupCode: setupCode.trim(), username, password }),
      // The server says only "closed or wrong" (forbidden): the code is what the person can fix.
      (code) => (code === 'forbidden' ? t('setup.codeWrong') : undefined),
    );
  };

  return (
    <AuthForm
      title={t('setup.title')}
      intro={t('setup.intro')}
      onSubmit={submit}
      busy={busy}
      error={error}
      submitLabel={busy ? t('setup.busy') : t('setup.submit')}
    >
      <TextField
        id="setup-code"
        label={t('setup.code')}
        autoComplete="one-time-code"
        spellCheck={false}
        value={setupCode}
        onValueChange={setSetupCode}
        autoFocus
      />
      <NewAccountFields idPrefix="setup" account={account} />
    </AuthForm>
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
  const account = useNewAccount('');
  const { error, setError, busy, attempt } = useAttempt();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const code = invite.trim();
    if (needsInvite && !code) return setError(t('register.inviteMissing'));
    const { username, password, problem } = account.check();
    if (problem) return setError(t(problem, { count: MIN_PASSWORD_LENGTH }));
    await attempt(
      async () => {
        await store.client.request('register', {
          username,
          password,
          ...(needsInvite ? { invite: code } : {}),
        });
        forgetLinkParam(INVITE_PARAM);
      },
      (errorCode) =>
        errorCode === 'conflict'
          ? t('register.taken')
          : errorCode === 'forbidden' && needsInvite
            ? t('register.inviteWrong')
            : undefined,
    );
  };

  return (
    <AuthForm
      title={t('register.title')}
      intro={needsInvite ? t('register.introInvite') : t('register.intro')}
      onSubmit={submit}
      busy={busy}
      error={error}
      submitLabel={busy ? t('register.busy') : t('register.submit')}
      footer={
        <button type="button" className="link-button" onClick={onSignIn}>
          {t('register.signIn')}
        </button>
      }
    >
      {needsInvite && (
        <TextField
          id="register-invite"
          label={t('register.invite')}
          autoComplete="off"
          spellCheck={false}
          value={invite}
          onValueChange={setInvite}
          autoFocus={!linked}
        />
      )}
      <NewAccountFields
        idPrefix="register"
        account={account}
        usernameAutoFocus={!needsInvite || Boolean(linked)}
      />
    </AuthForm>
  );
}

/** A password reset link: a new password, once; then the app is signed in. */
function ResetForm({ code, onSignIn }: { code: string; onSignIn(): void }) {
  const { t } = useTranslation();
  const store = useStore();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const { error, setError, busy, attempt } = useAttempt();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problem = newPasswordProblem(password, confirm);
    if (problem) return setError(t(problem, { count: MIN_PASSWORD_LENGTH }));
    await attempt(
      async () => {
        await store.client.request('resetPassword', { code, password });
        forgetLinkParam(RESET_PARAM);
      },
      (errorCode) => (errorCode === 'forbidden' ? t('reset.wrong') : undefined),
    );
  };

  return (
    <AuthForm
      title={t('reset.title')}
      intro={t('reset.intro')}
      onSubmit={submit}
      busy={busy}
      error={error}
      submitLabel={busy ? t('reset.busy') : t('reset.submit')}
      footer={
        <button type="button" className="link-button" onClick={onSignIn}>
          {t('register.signIn')}
        </button>
      }
    >
      <NewPasswordFields
        idPrefix="reset"
        password={password}
        confirm={confirm}
        onPassword={setPassword}
        onConfirm={setConfirm}
        autoFocus
      />
    </AuthForm>
  );
}

/**
 * Busy and error state of a form that starts a session. `attempt` runs the request; on success the
 * app leaves this screen, so busy stays set. A failure shows `explain(code)`, or the generic text.
 */
function useAttempt() {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const attempt = async (
    request: () => Promise<unknown>,
    explain: (code: string | undefined) => string | undefined,
  ) => {
    setBusy(true);
    setError(null);
    try {
      await request();
    } catch (err) {
      setError(explain((err as { code?: string }).code) ?? errorText(err, t));
      setBusy(false);
    }
  };
  return { error, setError, busy, attempt };
}

/** The sign-in, setup and register forms: title, fields, error, then the submit button. */
function AuthForm({
  title,
  intro,
  onSubmit,
  busy,
  error,
  submitLabel,
  children,
  footer,
}: {
  title: string;
  intro?: string;
  onSubmit(event: FormEvent): void;
  busy: boolean;
  error: string | null;
  submitLabel: string;
  /** The fields. */
  children: ReactNode;
  /** Other ways on, below the submit button. */
  footer?: ReactNode;
}) {
  return (
    <form onSubmit={onSubmit} noValidate aria-busy={busy}>
      <h1>{title}</h1>
      {intro !== undefined && <p className="muted">{intro}</p>}
      {children}
      <FormError error={error} />
      <button type="submit" className="button primary wide" disabled={busy}>
        {submitLabel}
      </button>
      {footer}
    </form>
  );
}

function UsernameField(props: Omit<ComponentProps<typeof TextField>, 'label'>) {
  const { t } = useTranslation();
  return (
    <TextField
      label={t('signIn.username')}
      autoComplete="username"
      autoCapitalize="none"
      spellCheck={false}
      {...props}
    />
  );
}

/** Username, password and its confirmation for a new account (first admin or registration). */
function NewAccountFields({
  idPrefix,
  account: { username, setUsername, password, setPassword, confirm, setConfirm },
  usernameAutoFocus,
}: {
  idPrefix: string;
  account: NewAccount;
  usernameAutoFocus?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <>
      <UsernameField
        id={`${idPrefix}-username`}
        hint={t('setup.usernameHint')}
        value={username}
        onValueChange={setUsername}
        autoFocus={usernameAutoFocus}
      />
      <NewPasswordFields
        idPrefix={idPrefix}
        labels={{ password: 'signIn.password', confirm: 'setup.confirm' }}
        password={password}
        confirm={confirm}
        onPassword={setPassword}
        onConfirm={setConfirm}
      />
    </>
  );
}

type NewAccount = ReturnType<typeof useNewAccount>;

/**
 * The name, password and confirmation of an account being created (setup and registration), and
 * `check()`: the name as it will be stored, and the first rule broken as a message key (null if none).
 */
function useNewAccount(initialUsername: string) {
  const [username, setUsername] = useState(initialUsername);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const check = () => {
    const name = username.trim().toLowerCase();
    const problem = newAccountProblem(name, password, confirm);
    return { username: name, password, problem } as const;
  };
  return { username, setUsername, password, setPassword, confirm, setConfirm, check };
}

/** The first rule a new account's name or password breaks, as a message key; null when none. */
function newAccountProblem(name: string, password: string, confirm: string) {
  if (!NAME_PATTERN.test(name)) return 'setup.usernameInvalid';
  return newPasswordProblem(password, confirm);
}

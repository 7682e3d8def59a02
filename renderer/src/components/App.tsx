import { useTranslation } from 'react-i18next';
import { PreferencesProvider } from '../settings/PreferencesProvider.tsx';
import { useUi } from '../state/hooks.tsx';
import { FirstRun } from './FirstRun.tsx';
import { Workspace } from './Workspace.tsx';

export function App() {
  const ready = useUi((s) => s.ready);
  const user = useUi((s) => s.user);
  return (
    <PreferencesProvider>
      {!ready ? <Starting /> : user ? <Workspace key={user.id} /> : <FirstRun />}
    </PreferencesProvider>
  );
}

function Starting() {
  const { t } = useTranslation();
  return (
    <main className="first-run">
      <p role="status" className="muted">
        {t('app.starting')}
      </p>
    </main>
  );
}

/** Shown when the session core could not be started at all. */
export function StartFailure({ reason }: { reason: string }) {
  const { t } = useTranslation();
  return (
    <main className="first-run">
      <div className="first-run-card">
        <h1>{t('app.startFailed')}</h1>
        <p role="alert">{reason}</p>
        <button type="button" className="button primary" onClick={() => location.reload()}>
          {t('common.reload')}
        </button>
      </div>
    </main>
  );
}

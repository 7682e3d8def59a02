import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { PreferencesProvider } from '../settings/PreferencesProvider.tsx';
import { useUi } from '../state/store.ts';
import { FirstRun } from './FirstRun.tsx';
import { ServerRail, useServers } from './ServerRail.tsx';
import { Workspace } from './Workspace.tsx';

export function App() {
  const ready = useUi((s) => s.ready);
  const user = useUi((s) => s.user);
  const servers = useServers();
  const content = !ready ? <Starting /> : user ? <Workspace key={user.id} /> : <FirstRun />;
  return (
    <PreferencesProvider>
      {servers.length > 1 ? (
        <div className="server-shell">
          <ServerRail servers={servers} />
          <div className="server-content">{content}</div>
        </div>
      ) : (
        content
      )}
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

/** A screen in place of the app when it cannot go on: what happened, and what can be done. */
function FailureScreen({ title, reason, children }: { title: string; reason: string; children: ReactNode }) {
  return (
    <main className="first-run">
      <div className="first-run-card">
        <h1>{title}</h1>
        <p role="alert">{reason}</p>
        {children}
      </div>
    </main>
  );
}

/** Shown when the session core could not be started at all. */
export function StartFailure({ reason }: { reason: string }) {
  const { t } = useTranslation();
  return (
    <FailureScreen title={t('app.startFailed')} reason={reason}>
      <button type="button" className="button primary" onClick={() => location.reload()}>
        {t('common.reload')}
      </button>
    </FailureScreen>
  );
}

/**
 * Desktop: the background process that holds the session keeps crashing. Restart tries again;
 * the log says why.
 */
export function CoreFailure({ reason, logsDir }: { reason: string; logsDir: string }) {
  const { t } = useTranslation();
  return (
    <FailureScreen title={t('desktop.coreFailed')} reason={reason}>
      <p>{t('desktop.logsAt', { path: logsDir })}</p>
      <div className="form-actions">
        <button type="button" className="button primary" onClick={() => window.switchboard?.restartCore()}>
          {t('desktop.restart')}
        </button>
        <button type="button" className="button" onClick={() => window.switchboard?.openLogs()}>
          {t('desktop.openLogs')}
        </button>
      </div>
    </FailureScreen>
  );
}

// Entry point: language first (so nothing flashes in the wrong one), then the session core, then React.
import './no-eval.ts';
import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, CoreFailure, StartFailure } from './components/App.tsx';
import i18next from 'i18next';
import { initI18n } from './i18n/index.ts';
import { connectSession, desktopSession } from './session/connect.ts';
import { followDeepLink } from './session/deep-links.ts';
import { applyTheme, deviceLook } from './settings/preferences.ts';
import { SessionStore, StoreProvider } from './state/store.ts';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
const look = deviceLook();
applyTheme(look.theme);
await initI18n(look.language);

const fail = (reason: string) => root.render(<StartFailure reason={reason} />);
let app: ReactNode = null;

// Desktop: a crash loop of the core replaces the app with a screen that can restart it; once the
// core runs again the app comes back where it was.
const desktop = desktopSession();
desktop?.onStatus((status) => {
  if (status.state === 'failed') root.render(<CoreFailure reason={status.reason} logsDir={status.logsDir} />);
  else if (status.state === 'running' && app) root.render(app);
});

try {
  const session = await connectSession(fail);
  const store = new SessionStore(session);
  app = (
    <StrictMode>
      <StoreProvider store={store}>
        <App />
      </StoreProvider>
    </StrictMode>
  );
  root.render(app);
  await store.start();
  desktop?.onDeepLink(
    (target) =>
      void followDeepLink(target, session, (reason) =>
        window.switchboard?.reportError(i18next.t('desktop.linkRefused', { reason })),
      ),
  );
} catch (err) {
  fail((err as Error).message ?? String(err));
}

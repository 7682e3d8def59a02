// Entry point: language first (so nothing flashes in the wrong one), then the session core, then React.
import './no-eval.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, StartFailure } from './components/App.tsx';
import { initI18n } from './i18n/index.ts';
import { connectSession } from './session/connect.ts';
import { applyTheme, deviceLook } from './settings/preferences.ts';
import { StoreProvider } from './state/hooks.tsx';
import { SessionStore } from './state/store.ts';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
const look = deviceLook();
applyTheme(look.theme);
await initI18n(look.language);

const fail = (reason: string) => root.render(<StartFailure reason={reason} />);
try {
  const store = new SessionStore(await connectSession(fail));
  root.render(
    <StrictMode>
      <StoreProvider store={store}>
        <App />
      </StoreProvider>
    </StrictMode>,
  );
  await store.start();
} catch (err) {
  fail((err as Error).message ?? String(err));
}

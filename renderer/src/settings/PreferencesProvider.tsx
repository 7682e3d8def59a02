// Holds the signed-in user's preferences and applies theme and language to the document.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { changeLanguage } from '../i18n/index.ts';
import { applyTheme, darkQuery, loadPreferences, savePreferences, type Preferences } from './preferences.ts';

interface PreferencesValue {
  prefs: Preferences;
  update(changes: Partial<Preferences>): void;
}

const PreferencesContext = createContext<PreferencesValue | null>(null);

export function usePreferences(): PreferencesValue {
  const value = useContext(PreferencesContext);
  if (!value) throw new Error('usePreferences outside PreferencesProvider');
  return value;
}

export function PreferencesProvider({ userId, children }: { userId: string | null; children: ReactNode }) {
  const [prefs, setPrefs] = useState(() => loadPreferences(userId));

  useEffect(() => setPrefs(loadPreferences(userId)), [userId]);

  useEffect(() => {
    applyTheme(prefs.theme);
    if (prefs.theme !== 'system') return;
    const query = darkQuery();
    const onChange = () => applyTheme('system');
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, [prefs.theme]);

  useEffect(() => {
    void changeLanguage(prefs.language);
  }, [prefs.language]);

  const update = useCallback(
    (changes: Partial<Preferences>) =>
      setPrefs((current) => {
        const next = { ...current, ...changes };
        savePreferences(userId, next);
        return next;
      }),
    [userId],
  );

  const value = useMemo(() => ({ prefs, update }), [prefs, update]);
  return <PreferencesContext.Provider value={value}>{children}</PreferencesContext.Provider>;
}

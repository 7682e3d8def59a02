// The signed-in user's preferences, read from and written through the session core (which keeps them
// on the server, so they follow the user to every device); applies theme and language to the document.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Preferences } from '@switchboard/protocol';
import { samePreference } from '@switchboard/client/browser';
import { changeLanguage } from '../i18n/index.ts';
import { useStore, useUi } from '../state/store.ts';
import {
  applyTheme,
  darkQuery,
  deviceLook,
  rememberDeviceLook,
  resolvePreferences,
  type ResolvedPreferences,
} from './preferences.ts';

interface PreferencesValue {
  prefs: ResolvedPreferences;
  /** Applies at once; the core stores it on the server (later, if offline). */
  update(changes: Preferences): Promise<void>;
}

const PreferencesContext = createContext<PreferencesValue | null>(null);

export function usePreferences(): PreferencesValue {
  const value = useContext(PreferencesContext);
  if (!value) throw new Error('usePreferences outside PreferencesProvider');
  return value;
}

export function PreferencesProvider({ children }: { children: ReactNode }) {
  const store = useStore();
  const saved = useUi((s) => s.preferences);
  // A choice shows at once (a control must not flick back while the core's copy catches up); each
  // key gives way to the core's copy as soon as that has it.
  const [chosen, setChosen] = useState<Preferences>({});
  useEffect(
    () => setChosen((current) => withoutKeys(current, (key) => samePreference(saved[key], current[key]))),
    [saved],
  );
  // The device's last look fills what the user has not set (and everything while signed out).
  const prefs = useMemo(() => resolvePreferences({ ...saved, ...chosen }, deviceLook()), [saved, chosen]);

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

  useEffect(() => rememberDeviceLook(prefs), [prefs]);

  const update = useCallback(
    async (changes: Preferences) => {
      setChosen((current) => ({ ...current, ...changes }));
      try {
        await store.client.request('setPreferences', changes);
      } catch (err) {
        setChosen((current) => withoutKeys(current, (key) => key in changes));
        throw err;
      }
    },
    [store],
  );

  const value = useMemo(() => ({ prefs, update }), [prefs, update]);
  return <PreferencesContext.Provider value={value}>{children}</PreferencesContext.Provider>;
}

/** `preferences` without the keys `drop` picks; the same object when it picks none. */
function withoutKeys(preferences: Preferences, drop: (key: keyof Preferences) => boolean): Preferences {
  const kept = Object.entries(preferences).filter(([key]) => !drop(key as keyof Preferences));
  return kept.length === Object.keys(preferences).length ? preferences : Object.fromEntries(kept);
}

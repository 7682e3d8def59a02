// Settings: the user's preferences and profile (name, password, devices) and, for admins, the admin
// area (people, invites and who may register), as tabs of one dialog.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { AppInfo } from '@switchboard/protocol/desktop';
import { useTranslation } from 'react-i18next';
import { LANGUAGE_NAMES } from '../i18n/index.ts';
import { LANGUAGES, THEMES, type Preferences } from '@switchboard/protocol';
import { errorText } from '../format.ts';
import type { Language } from '../settings/preferences.ts';
import { usePreferences } from '../settings/PreferencesProvider.tsx';
import { desktopBridge } from '../session/connect.ts';
import { useUi } from '../state/store.ts';
import { InvitesPanel, PeoplePanel } from './AdminPanels.tsx';
import { DesktopStartup } from './DesktopStartup.tsx';
import { Dialog } from './Dialog.tsx';
import { FormError } from './Form.tsx';
import { LocalServerSettings } from './LocalServerSettings.tsx';
import { NotificationSettings } from './NotificationSettings.tsx';
import { ProfilePanel } from './ProfilePanel.tsx';

export type SettingsTab = 'preferences' | 'profile' | 'people' | 'invites';
const EVERYONE: SettingsTab[] = ['preferences', 'profile'];
const ADMINS: SettingsTab[] = ['people', 'invites'];

export function SettingsDialog({
  onClose,
  tab: initial = 'preferences',
}: {
  onClose(): void;
  tab?: SettingsTab;
}) {
  const { t } = useTranslation();
  const isAdmin = useUi((s) => s.user?.isAdmin ?? false);
  const tabs = isAdmin ? [...EVERYONE, ...ADMINS] : EVERYONE;
  const [chosen, setChosen] = useState<SettingsTab>(initial);
  const tab = tabs.includes(chosen) ? chosen : 'preferences';
  const id = useId();
  const tabRefs = useRef(new Map<SettingsTab, HTMLButtonElement>());

  // Arrow keys move between tabs, as in every tab list (focus follows, and so does the choice).
  const onKeyDown = (event: KeyboardEvent) => {
    const at = tabs.indexOf(tab);
    const next =
      event.key === 'ArrowRight'
        ? at + 1
        : event.key === 'ArrowLeft'
          ? at - 1
          : event.key === 'Home'
            ? 0
            : null;
    const index = event.key === 'End' ? tabs.length - 1 : next;
    if (index === null) return;
    event.preventDefault();
    const target = tabs[(index + tabs.length) % tabs.length]!;
    setChosen(target);
    tabRefs.current.get(target)?.focus();
  };

  return (
    <Dialog title={t('settings.title')} onClose={onClose} className="dialog-settings">
      <div role="tablist" aria-label={t('settings.sections')} className="tabs" onKeyDown={onKeyDown}>
        {tabs.map((name) => (
          <button
            key={name}
            ref={(el) => void (el ? tabRefs.current.set(name, el) : tabRefs.current.delete(name))}
            type="button"
            role="tab"
            id={`${id}-${name}-tab`}
            aria-selected={tab === name}
            aria-controls={`${id}-${name}`}
            tabIndex={tab === name ? 0 : -1}
            className="tab"
            onClick={() => setChosen(name)}
            data-autofocus={tab === name ? true : undefined}
          >
            {t(`settings.tabs.${name}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-${tab}`} aria-labelledby={`${id}-${tab}-tab`} className="tab-panel">
        {tab === 'preferences' && <PreferencesPanel />}
        {tab === 'profile' && <ProfilePanel />}
        {tab === 'people' && <PeoplePanel />}
        {tab === 'invites' && <InvitesPanel />}
      </div>
      <div className="form-actions">
        <button type="button" className="button primary" onClick={onClose}>
          {t('common.done')}
        </button>
      </div>
    </Dialog>
  );
}

/** Theme, language and notifications: kept on the server, so they follow the user to every device. */
function PreferencesPanel() {
  const { t } = useTranslation();
  const { prefs, update } = usePreferences();
  const [error, setError] = useState<string | null>(null);
  const change = (changes: Preferences) => {
    setError(null);
    update(changes).catch((err: unknown) => setError(errorText(err, t)));
  };

  return (
    <>
      <fieldset className="field choices">
        <legend>{t('settings.theme')}</legend>
        <div className="segmented">
          {THEMES.map((theme) => (
            <label key={theme} className="segment">
              <input
                type="radio"
                name="theme"
                value={theme}
                checked={prefs.theme === theme}
                onChange={() => change({ theme })}
              />
              <span>{t(`settings.themes.${theme}`)}</span>
            </label>
          ))}
        </div>
      </fieldset>

      <div className="field">
        <label htmlFor="settings-language">{t('settings.language')}</label>
        <select
          id="settings-language"
          value={prefs.language}
          onChange={(e) => change({ language: e.target.value as Language })}
        >
          {LANGUAGES.map((language) => (
            <option key={language} value={language} lang={language}>
              {LANGUAGE_NAMES[language]}
            </option>
          ))}
        </select>
      </div>

      <NotificationSettings change={change} />

      <FormError error={error} />
      <p className="hint">{t('settings.stored')}</p>
      {desktopBridge() && <DesktopSection />}
    </>
  );
}

/** Desktop only: how the sign-in is stored on this computer, the versions, and the logs. */
function DesktopSection() {
  const { t } = useTranslation();
  const [info, setInfo] = useState<AppInfo | null>(null);
  useEffect(() => {
    void desktopBridge()?.appInfo().then(setInfo);
  }, []);
  if (!info) return null;
  return (
    <section className="field" aria-label={t('desktop.section')}>
      <h2 className="hint">{t('desktop.section')}</h2>
      <p className="hint" role="note">
        {info.secretStorage === 'basic_text' ? t('desktop.secretsBasic') : t('desktop.secretsSafe')}
      </p>
      <DesktopStartup />
      <LocalServerSettings />
      <p className="hint">
        {t('desktop.versions', { app: info.appVersion, electron: info.electronVersion })}
      </p>
      <button type="button" className="button small" onClick={() => desktopBridge()?.openLogs()}>
        {t('desktop.openLogs')}
      </button>
    </section>
  );
}

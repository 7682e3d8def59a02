// Theme, language and notification preferences for the signed-in user.
import { useEffect, useState } from 'react';
import type { AppInfo } from '@switchboard/protocol/desktop';
import { useTranslation } from 'react-i18next';
import { LANGUAGE_NAMES } from '../i18n/index.ts';
import { LANGUAGES, THEMES, type Preferences } from '@switchboard/protocol';
import { errorText } from '../format.ts';
import type { Language } from '../settings/preferences.ts';
import { usePreferences } from '../settings/PreferencesProvider.tsx';
import { desktopBridge } from '../session/connect.ts';
import { LocalServerSettings } from './LocalServerSettings.tsx';
import { DesktopStartup } from './DesktopStartup.tsx';
import { Dialog } from './Dialog.tsx';
import { FormError } from './Form.tsx';
import { NotificationSettings } from './NotificationSettings.tsx';

export function SettingsDialog({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const { prefs, update } = usePreferences();
  const [error, setError] = useState<string | null>(null);
  const change = (changes: Preferences) => {
    setError(null);
    update(changes).catch((err: unknown) => setError(errorText(err, t)));
  };

  return (
    <Dialog title={t('settings.title')} onClose={onClose} className="dialog-settings">
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
      <div className="form-actions">
        <button type="button" className="button primary" onClick={onClose} data-autofocus>
          {t('common.done')}
        </button>
      </div>
    </Dialog>
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

// Desktop only, in Settings → This computer: start Switchboard when the person signs in to the
// computer (off by default). It waits in the tray, not in a window; main keeps the setting per computer.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DesktopSettings } from '@switchboard/protocol/desktop';
import { desktopBridge } from '../session/connect.ts';

export function DesktopStartup() {
  const { t } = useTranslation();
  const [settings, setSettings] = useState<DesktopSettings | null>(null);
  useEffect(() => {
    void desktopBridge()?.desktopSettings().then(setSettings);
  }, []);
  if (!settings?.startAtLoginSupported) return null;
  return (
    <label className="choice desktop-choice">
      <input
        type="checkbox"
        checked={settings.startAtLogin}
        onChange={(e) => {
          const on = e.target.checked;
          desktopBridge()?.setStartAtLogin(on);
          setSettings({ ...settings, startAtLogin: on });
        }}
      />
      <span>{t('desktop.startAtLogin')}</span>
    </label>
  );
}

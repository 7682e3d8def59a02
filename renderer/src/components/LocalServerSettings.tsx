// Desktop only, in Settings → This computer: the server list's "Add a server" and "Remove this
// server" (the account on screen, once there are several), and the server this
// computer hosts — its state, letting others on the network join (with a warning; main rebinds it),
// the address to share and an invite link, and backup and restore of its data (main asks where).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LocalServerInfo } from '@switchboard/protocol/desktop';
import { errorText } from '../format.ts';
import { desktopBridge, desktopSession } from '../session/connect.ts';
import { useUi } from '../state/store.ts';
import { FormError } from './Form.tsx';
import { useServers } from './ServerRail.tsx';

export function LocalServerSettings() {
  const { t } = useTranslation();
  const bridge = desktopBridge();
  const me = useUi((s) => s.user);
  const serverUrl = useUi((s) => s.serverUrl);
  const servers = useServers();
  const active = servers.find((server) => server.active);
  const [info, setInfo] = useState<LocalServerInfo | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** The network choice just made, shown while the server restarts with it. */
  const [lanWanted, setLanWanted] = useState<boolean | null>(null);

  useEffect(() => {
    void desktopBridge()?.localServer().then(setInfo);
    return desktopSession()?.onLocalServer(setInfo);
  }, []);
  if (!bridge) return null;

  const run = async (action: () => Promise<string | null>) => {
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      setNote(await action());
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };
  // The server's own admin, signed in to it here, manages it.
  const here = info?.url !== null && info?.url === serverUrl;

  return (
    <div className="local-server">
      <div className="button-row">
        <button type="button" className="button small" onClick={() => bridge.addServer()}>
          {t('servers.add')}
        </button>
        {active && servers.length > 1 && (
          <button
            type="button"
            className="button small"
            onClick={() => {
              if (window.confirm(t('servers.removeWarning', { name: active.name })))
                bridge.removeServer(active.id);
            }}
          >
            {t('servers.remove')}
          </button>
        )}
      </div>
      {info && info.url !== null && (
        <>
          <h3 className="hint">{t('local.section')}</h3>
          <p className="hint" role="status">
            {t(`local.state_${info.state}`, { url: info.url, reason: info.reason ?? '' })}
          </p>
          {here && me?.isAdmin && (
            <>
              <label className="choice desktop-choice">
                <input
                  type="checkbox"
                  checked={lanWanted ?? info.lan}
                  disabled={busy}
                  onChange={(e) => {
                    const on = e.target.checked;
                    if (on && !window.confirm(t('local.lanWarning'))) return;
                    setLanWanted(on);
                    void run(async () => {
                      try {
                        setInfo(await bridge.setLocalServerLan(on));
                      } finally {
                        setLanWanted(null);
                      }
                      return null;
                    });
                  }}
                />
                <span>{t('local.lan')}</span>
              </label>
              {info.shareUrl && <p className="hint">{t('local.share', { url: info.shareUrl })}</p>}
              <div className="button-row">
                {info.lan && (
                  <button
                    type="button"
                    className="button small"
                    disabled={busy}
                    onClick={() =>
                      void run(async () =>
                        t('local.inviteMade', { link: await bridge.localServerInvite(me.username) }),
                      )
                    }
                  >
                    {t('local.invite')}
                  </button>
                )}
                <button
                  type="button"
                  className="button small"
                  disabled={busy}
                  onClick={() =>
                    void run(async () => {
                      const file = await bridge.backupLocalServer();
                      return file ? t('local.backedUp', { file }) : null;
                    })
                  }
                >
                  {t('local.backup')}
                </button>
                <button
                  type="button"
                  className="button small"
                  disabled={busy}
                  onClick={() => {
                    if (!window.confirm(t('local.restoreWarning'))) return;
                    void run(async () => {
                      const file = await bridge.restoreLocalServer();
                      return file ? t('local.restored', { file }) : null;
                    });
                  }}
                >
                  {t('local.restore')}
                </button>
              </div>
            </>
          )}
          {note && (
            <p className="hint" role="status">
              {note}
            </p>
          )}
          <FormError error={error} />
        </>
      )}
    </div>
  );
}

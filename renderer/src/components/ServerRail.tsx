// Desktop only, once the app holds accounts on several servers: the server list at the window's
// edge (like Mattermost's), each server's unread and mention counts on its icon. Choosing one puts
// its account on screen (main loads the window for it); "+" adds a server.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ServerSummary } from '@switchboard/protocol/desktop';
import { serverInitials } from '../format.ts';
import { desktopBridge, desktopSession } from '../session/connect.ts';

/** The server list as main reports it (empty in a browser). */
export function useServers(): ServerSummary[] {
  const [servers, setServers] = useState<ServerSummary[]>([]);
  useEffect(() => {
    const handOver = desktopSession();
    if (!handOver) return;
    void desktopBridge()?.servers().then(setServers);
    return handOver.onServers(setServers);
  }, []);
  return servers;
}

export function ServerRail({ servers }: { servers: ServerSummary[] }) {
  const { t } = useTranslation();
  const bridge = desktopBridge();
  if (!bridge) return null;
  return (
    <nav className="server-rail" aria-label={t('servers.list')}>
      <ul>
        {servers.map((server) => {
          const counts =
            server.mentions > 0
              ? t('servers.mentions', { count: server.mentions })
              : server.unread > 0
                ? t('servers.unread', { count: server.unread })
                : '';
          return (
            <li key={server.id}>
              <button
                type="button"
                className="server-icon"
                aria-current={server.active ? 'page' : undefined}
                aria-label={[server.name, counts].filter(Boolean).join(', ')}
                title={server.url ?? server.name}
                onClick={() => !server.active && bridge.switchServer(server.id)}
              >
                <span aria-hidden="true">{serverInitials(server.name)}</span>
                {server.mentions > 0 ? (
                  <span className="server-badge mention" aria-hidden="true">
                    {server.mentions > 99 ? '99+' : server.mentions}
                  </span>
                ) : server.unread > 0 ? (
                  <span className="server-badge unread" aria-hidden="true" />
                ) : null}
              </button>
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        className="server-icon add"
        aria-label={t('servers.add')}
        title={t('servers.add')}
        onClick={() => bridge.addServer()}
      >
        <span aria-hidden="true">+</span>
      </button>
    </nav>
  );
}

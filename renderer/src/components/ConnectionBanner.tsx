// Tells the truth about the connection: connecting, reconnecting in N s (counting down), offline,
// incompatible versions, online but missed messages not fetched yet (the next try counting down),
// and "back online" for a moment after an outage. Retry asks the core to reconnect, or fetch, now
// instead of waiting for the backoff.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectionState } from '../session/types.ts';
import { useStore, useUi } from '../state/store.ts';

const BACK_ONLINE_MS = 4_000;

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function ConnectionBanner() {
  const { t } = useTranslation();
  const store = useStore();
  const connection = useUi((s) => s.connection);
  const [backOnline, setBackOnline] = useState(false);
  const wasDown = useRef(false);
  const now = useNow(
    connection.status === 'reconnecting' ||
      (connection.status === 'online' && connection.catchingUp?.retryAt !== undefined),
  );

  useEffect(() => {
    if (connection.status === 'online') {
      if (!wasDown.current) return;
      wasDown.current = false;
      setBackOnline(true);
      const timer = setTimeout(() => setBackOnline(false), BACK_ONLINE_MS);
      return () => clearTimeout(timer);
    }
    if (connection.status === 'reconnecting' || connection.status === 'offline') wasDown.current = true;
    setBackOnline(false);
  }, [connection.status]);

  const retry = () => void store.client.request('reconnectNow', {});
  const view =
    describe(connection, now, t) ??
    (backOnline ? { tone: 'ok' as const, title: t('connection.backOnline'), retry: false } : null);

  // The status element stays mounted so screen readers announce each change of state; the countdown
  // is a timer, readable but not announced every second.
  return (
    <div
      className={view ? `banner banner-${view.tone}` : 'banner-empty'}
      data-connection={connection.status}
      data-attempt={connection.status === 'reconnecting' ? connection.attempt : undefined}
    >
      {view && <span className="banner-dot" aria-hidden="true" />}
      <span role="status" className="banner-text">
        {view && <strong>{view.title}</strong>}
        {view?.detail && <span className="banner-detail">{view.detail}</span>}
      </span>
      {view?.countdown && (
        <span role="timer" className="banner-countdown">
          {view.countdown}
        </span>
      )}
      {view?.retry && (
        <button type="button" className="button small" onClick={retry}>
          {t('connection.retry')}
        </button>
      )}
    </div>
  );
}

interface BannerView {
  tone: 'info' | 'warn' | 'error' | 'ok';
  title: string;
  detail?: string;
  countdown?: string;
  retry: boolean;
}

function describe(
  connection: ConnectionState,
  now: number,
  t: ReturnType<typeof useTranslation>['t'],
): BannerView | null {
  switch (connection.status) {
    case 'online': {
      // A catch-up in progress is normal after every connect; only a failed one is worth a banner.
      const retryAt = connection.catchingUp?.retryAt;
      if (retryAt === undefined) return null;
      const seconds = Math.max(0, Math.ceil((retryAt - now) / 1000));
      return {
        tone: 'warn',
        title: t('connection.catchingUp'),
        // Only being asked to slow down says more than the title does.
        detail:
          connection.catchingUp?.reason === 'rate_limited' ? t('connection.reasons.rate-limited') : undefined,
        countdown: seconds > 0 ? t('connection.catchingUpIn', { count: seconds }) : undefined,
        retry: seconds > 0,
      };
    }
    case 'signed-out':
      return null;
    case 'connecting':
      return { tone: 'info', title: t('connection.connecting'), retry: false };
    case 'reconnecting': {
      const seconds = Math.max(0, Math.ceil((connection.retryAt - now) / 1000));
      return {
        tone: 'warn',
        title: t('connection.lost'),
        detail: t(`connection.reasons.${connection.reason}`, { detail: connection.detail ?? '' }),
        countdown:
          seconds > 0 ? t('connection.reconnectingIn', { count: seconds }) : t('connection.reconnectingNow'),
        retry: seconds > 0,
      };
    }
    case 'offline':
      return {
        tone: 'error',
        title: t('connection.offline'),
        detail: t(`connection.reasons.${connection.reason}`),
        retry: true,
      };
    case 'incompatible':
      return {
        tone: 'error',
        title: connection.serverTooOld ? t('connection.serverTooOld') : t('connection.appTooOld'),
        detail: connection.reason,
        retry: false,
      };
  }
}

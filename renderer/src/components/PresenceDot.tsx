import { useTranslation } from 'react-i18next';
import type { Presence } from '@switchboard/protocol';
import { useUi } from '../state/store.ts';

/** Someone's presence as this app knows it: unknown while this app is not connected itself. */
export type ShownPresence = Presence | 'unknown';

/** `status` as the server last said it, or unknown while this client is not online to hear changes. */
export function useShownPresence(status: Presence | undefined): ShownPresence {
  const connected = useUi((s) => s.connection.status === 'online');
  return connected ? (status ?? 'offline') : 'unknown';
}

/**
 * A presence dot; shape as well as colour tells online, offline and unknown apart. Its meaning is read
 * out unless `silent`, for places that say it in words after the name instead. `self`: the user's own
 * dot, which shows whether this app is connected and so is always known.
 */
export function PresenceDot({
  status,
  silent = false,
  self = false,
}: {
  status: Presence | undefined;
  silent?: boolean;
  self?: boolean;
}) {
  const { t } = useTranslation();
  const shown = useShownPresence(status);
  const state = self ? (status ?? 'offline') : shown;
  return (
    <span
      className={`presence presence-${state}`}
      aria-hidden={silent ? true : undefined}
      data-presence={state}
    >
      {!silent && <span className="sr-only">{t(`presence.${state}`)}</span>}
    </span>
  );
}

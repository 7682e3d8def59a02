import { useTranslation } from 'react-i18next';
import type { Presence } from '@switchboard/protocol';

/**
 * A presence dot; shape as well as colour tells online from offline. Its meaning is read out unless
 * `silent`, for places that say it in words after the name instead.
 */
export function PresenceDot({ status, silent = false }: { status: Presence | undefined; silent?: boolean }) {
  const { t } = useTranslation();
  const state = status ?? 'offline';
  return (
    <span className={`presence presence-${state}`} aria-hidden={silent ? true : undefined}>
      {!silent && <span className="sr-only">{t(`presence.${state}`)}</span>}
    </span>
  );
}

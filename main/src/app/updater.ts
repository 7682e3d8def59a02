// Auto-update policy: off in development and when the build has no feed; deb and rpm installs
// (updated by the system's package manager) get a notice with a link instead; everything else
// checks at start and every few hours, downloads in the background, and offers "Restart to update".
import type { Log } from '../shared/log.ts';
import type { Timers } from '../core/supervisor.ts';
import { RELEASES_URL } from './product.ts';

export const UPDATE_INTERVAL_MS = 4 * 60 * 60 * 1000;

export interface UpdateFacts {
  /** app.isPackaged */
  packaged: boolean;
  /** resources/app-update.yml exists: electron-builder wrote a feed into this build. */
  feedConfigured: boolean;
  /** resources/package-type, written by electron-builder for deb and rpm ('deb', 'rpm'), else null. */
  packageType: string | null;
  /** SWITCHBOARD_DISABLE_UPDATES set: an administrator turned updates off. */
  disabledByEnv: boolean;
}

export type UpdatePolicy =
  { mode: 'off'; reason: string } | { mode: 'notice'; url: string } | { mode: 'auto' };

export function updatePolicy(facts: UpdateFacts): UpdatePolicy {
  if (!facts.packaged) return { mode: 'off', reason: 'development build' };
  if (facts.disabledByEnv) return { mode: 'off', reason: 'SWITCHBOARD_DISABLE_UPDATES is set' };
  if (facts.packageType === 'deb' || facts.packageType === 'rpm')
    return { mode: 'notice', url: RELEASES_URL };
  if (!facts.feedConfigured) return { mode: 'off', reason: 'this build has no update feed' };
  return { mode: 'auto' };
}

/** electron-updater's autoUpdater, as far as the policy drives it. */
export interface AutoUpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  checkForUpdates(): Promise<unknown>;
  on(event: 'update-available' | 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  quitAndInstall(): void;
}

export interface UpdatePrompts {
  /** "Restart to update"? Resolves true to restart now. */
  offerRestart(version: string): Promise<boolean>;
  /** deb/rpm: a newer version exists; tell the person where to get it. */
  notify(version: string, url: string): void;
}

/**
 * Runs an `auto` or `notice` policy: checks now and every interval. `auto` downloads in the
 * background and offers a restart once; `notice` downloads nothing and tells about a new version
 * once. Returns the function that stops checking.
 */
export function runUpdates(
  updater: AutoUpdaterLike,
  policy: Exclude<UpdatePolicy, { mode: 'off' }>,
  options: { timers: Timers; log: Log; prompts: UpdatePrompts },
): () => void {
  const { timers, log, prompts } = options;
  const auto = policy.mode === 'auto';
  updater.autoDownload = auto;
  updater.autoInstallOnAppQuit = auto;
  let told = false;
  let timer: unknown = null;
  updater.on('error', (error) => log.warn({ error: error.message }, 'update check failed'));
  if (auto)
    updater.on('update-downloaded', ({ version }) => {
      if (told) return;
      told = true;
      log.info({ version }, 'an update is ready');
      void prompts.offerRestart(version).then((restart) => {
        if (restart) updater.quitAndInstall();
      });
    });
  else
    updater.on('update-available', ({ version }) => {
      if (told) return;
      told = true;
      prompts.notify(version, policy.url);
    });
  const check = () => {
    updater
      .checkForUpdates()
      .catch((error: Error) => log.warn({ error: error.message }, 'update check failed'));
    timer = timers.setTimeout(check, UPDATE_INTERVAL_MS);
  };
  check();
  return () => {
    if (timer !== null) timers.clearTimeout(timer);
  };
}

import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ManualTimers, RecordingLog } from '../testing/fakes.ts';
import { RELEASES_URL } from './product.ts';
import {
  runUpdates,
  UPDATE_INTERVAL_MS,
  updatePolicy,
  type AutoUpdaterLike,
  type UpdateFacts,
} from './updater.ts';

const packaged: UpdateFacts = {
  packaged: true,
  feedConfigured: true,
  packageType: null,
  disabledByEnv: false,
};

describe('updatePolicy', () => {
  it.each([
    [
      { ...packaged, packaged: false },
      { mode: 'off', reason: 'development build' },
    ],
    [
      { ...packaged, feedConfigured: false },
      { mode: 'off', reason: 'this build has no update feed' },
    ],
    [
      { ...packaged, disabledByEnv: true },
      { mode: 'off', reason: 'SWITCHBOARD_DISABLE_UPDATES is set' },
    ],
    [
      { ...packaged, packageType: 'deb' },
      { mode: 'notice', url: RELEASES_URL },
    ],
    [
      { ...packaged, packageType: 'rpm' },
      { mode: 'notice', url: RELEASES_URL },
    ],
    [
      { ...packaged, packageType: 'rpm', packaged: false },
      { mode: 'off', reason: 'development build' },
    ],
    [packaged, { mode: 'auto' }],
    [{ ...packaged, packageType: 'AppImage' }, { mode: 'auto' }],
  ] as const)('%o → %o', (facts, policy) => {
    expect(updatePolicy(facts)).toEqual(policy);
  });
});

/** electron-updater's autoUpdater: an EventEmitter whose checks the test resolves. */
class FakeUpdater extends EventEmitter implements AutoUpdaterLike {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  checks = 0;
  installed = 0;
  failNext = false;
  async checkForUpdates(): Promise<unknown> {
    this.checks += 1;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('net::ERR_INTERNET_DISCONNECTED');
    }
    return null;
  }
  quitAndInstall(): void {
    this.installed += 1;
  }
}

describe('runUpdates', () => {
  it('auto: checks at start and every few hours, downloads in the background, offers a restart once', async () => {
    const updater = new FakeUpdater();
    const timers = new ManualTimers();
    const offers: string[] = [];
    runUpdates(
      updater,
      { mode: 'auto' },
      {
        timers,
        log: new RecordingLog(),
        prompts: { offerRestart: async (v) => (offers.push(v), true), notify: () => {} },
      },
    );
    expect(updater.checks).toBe(1);
    expect(updater.autoDownload).toBe(true);
    timers.advance(UPDATE_INTERVAL_MS - 1);
    expect(updater.checks).toBe(1);
    timers.advance(1);
    expect(updater.checks).toBe(2);
    updater.emit('update-downloaded', { version: '2.0.0' });
    updater.emit('update-downloaded', { version: '2.0.0' });
    await Promise.resolve();
    await Promise.resolve();
    expect(offers).toEqual(['2.0.0']);
    expect(updater.installed).toBe(1);
  });

  it('auto: "Later" installs nothing now; a failed check is logged and the next one still runs', async () => {
    const updater = new FakeUpdater();
    const timers = new ManualTimers();
    const log = new RecordingLog();
    updater.failNext = true;
    runUpdates(
      updater,
      { mode: 'auto' },
      { timers, log, prompts: { offerRestart: async () => false, notify: () => {} } },
    );
    await Promise.resolve();
    expect(log.messages('warn')).toEqual(['update check failed']);
    updater.emit('update-downloaded', { version: '2.0.0' });
    await Promise.resolve();
    expect(updater.installed).toBe(0);
    timers.advance(UPDATE_INTERVAL_MS);
    expect(updater.checks).toBe(2);
  });

  it('notice (deb/rpm): downloads nothing and tells once where to get the new version', () => {
    const updater = new FakeUpdater();
    const notices: [string, string][] = [];
    runUpdates(
      updater,
      { mode: 'notice', url: RELEASES_URL },
      {
        timers: new ManualTimers(),
        log: new RecordingLog(),
        prompts: { offerRestart: async () => true, notify: (v, url) => void notices.push([v, url]) },
      },
    );
    expect(updater.autoDownload).toBe(false);
    expect(updater.autoInstallOnAppQuit).toBe(false);
    updater.emit('update-available', { version: '2.1.0' });
    updater.emit('update-available', { version: '2.1.0' });
    expect(notices).toEqual([['2.1.0', RELEASES_URL]]);
    expect(updater.installed).toBe(0);
  });
});

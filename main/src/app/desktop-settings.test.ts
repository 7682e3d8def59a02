import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordingLog } from '../testing/fakes.ts';
import { DesktopSettingsFile } from './desktop-settings.ts';

const file = () =>
  path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-settings-')), 'desktop-settings.json');

describe('desktop settings', () => {
  it('start with the defaults, and keep what is changed across restarts', () => {
    const where = file();
    const log = new RecordingLog();
    expect(new DesktopSettingsFile(where, log).value).toEqual({ closeNoticeShown: false });
    new DesktopSettingsFile(where, log).update({ closeNoticeShown: true });
    expect(new DesktopSettingsFile(where, log).value).toEqual({ closeNoticeShown: true });
    expect(fs.statSync(where).mode & 0o777).toBe(0o600);
  });

  it.each(['{not json', '[]', '{"closeNoticeShown":"yes"}'])(
    'a file that cannot be read (%s) gives the defaults, logged',
    (text) => {
      const where = file();
      fs.writeFileSync(where, text);
      const log = new RecordingLog();
      expect(new DesktopSettingsFile(where, log).value).toEqual({ closeNoticeShown: false });
      expect(log.messages('warn')).toEqual([
        'ignored desktop settings that could not be read; using the defaults',
      ]);
    },
  );
});

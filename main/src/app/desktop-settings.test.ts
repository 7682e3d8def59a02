import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordingLog } from '../testing/fakes.ts';
import { DesktopSettingsFile } from './desktop-settings.ts';

const DEFAULTS = { closeNoticeShown: false, localServer: { hosting: false, port: null, lan: false } };

const file = () =>
  path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-settings-')), 'desktop-settings.json');

describe('desktop settings', () => {
  it('start with the defaults, and keep what is changed across restarts', () => {
    const where = file();
    const log = new RecordingLog();
    expect(new DesktopSettingsFile(where, log).value).toEqual(DEFAULTS);
    new DesktopSettingsFile(where, log).update({ closeNoticeShown: true });
    const servers = {
      accounts: [
        { id: 'default', local: true, url: 'http://127.0.0.1:41234' },
        { id: 'b', local: false },
      ],
      active: 'default',
    };
    new DesktopSettingsFile(where, log).update({ servers });
    expect(new DesktopSettingsFile(where, log).value).toEqual({
      ...DEFAULTS,
      closeNoticeShown: true,
      servers,
    });
    expect(fs.statSync(where).mode & 0o777).toBe(0o600);
  });

  it.each([
    '{not json',
    '[]',
    '{"closeNoticeShown":"yes"}',
    '{"servers":{"accounts":[],"active":"x"}}',
    '{"servers":{"accounts":[{"id":"../../etc","local":false}],"active":"x"}}',
    '{"localServer":{"port":70000}}',
  ])('a file that cannot be read (%s) gives the defaults, logged', (text) => {
    const where = file();
    fs.writeFileSync(where, text);
    const log = new RecordingLog();
    expect(new DesktopSettingsFile(where, log).value).toEqual(DEFAULTS);
    expect(log.messages('warn')).toEqual([
      'ignored desktop settings that could not be read; using the defaults',
    ]);
  });
});

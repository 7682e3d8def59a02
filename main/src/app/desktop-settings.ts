// What main remembers about this computer, apart from the account (whose preferences the server
// keeps): in <userData>/desktop-settings.json, checked with a schema when read. A file that cannot be
// read is reported and replaced by the defaults, never trusted half-way.
import { z } from 'zod';
import { readText, writeText } from '../shared/files.ts';
import type { Log } from '../shared/log.ts';

const Settings = z.object({
  /** The "still running in the tray" notice was shown once; it is not shown again. */
  closeNoticeShown: z.boolean().default(false),
});
export type Settings = z.infer<typeof Settings>;

export class DesktopSettingsFile {
  private current: Settings;

  constructor(
    private readonly file: string,
    private readonly log: Log,
  ) {
    this.current = this.read();
  }

  get value(): Settings {
    return this.current;
  }

  update(changes: Partial<Settings>): Settings {
    this.current = Settings.parse({ ...this.current, ...changes });
    writeText(this.file, `${JSON.stringify(this.current, null, 2)}\n`, this.log);
    return this.current;
  }

  private read(): Settings {
    const text = readText(this.file);
    if (text === null) return Settings.parse({});
    try {
      return Settings.parse(JSON.parse(text));
    } catch (err) {
      this.log.warn(
        { code: 'validation_failed', file: this.file, error: (err as Error).message.slice(0, 300) },
        'ignored desktop settings that could not be read; using the defaults',
      );
      return Settings.parse({});
    }
  }
}

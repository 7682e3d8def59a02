// What main remembers about this computer, apart from the account (whose preferences the server
// keeps): in <userData>/desktop-settings.json, checked with a schema when read. A file that cannot be
// read is reported and replaced by the defaults, never trusted half-way.
import { z } from 'zod';
import { readText, writeText } from '../shared/files.ts';
import type { Log } from '../shared/log.ts';

const Settings = z.object({
  /** The "still running in the tray" notice was shown once; it is not shown again. */
  closeNoticeShown: z.boolean().default(false),
  /** The server list (app/servers.ts); absent until a second server is added or one is chosen. */
  servers: z
    .object({
      accounts: z
        .array(
          z.object({
            id: z.string().regex(/^[a-z0-9-]{1,64}$/),
            local: z.boolean(),
            url: z.string().max(4096).nullable().optional(),
          }),
        )
        .min(1)
        .max(100),
      active: z.string(),
    })
    .optional(),
  /** The server on this computer: set up here (started with the app), its port, and open to the network. */
  localServer: z
    .object({
      hosting: z.boolean().default(false),
      port: z.number().int().min(1).max(65_535).nullable().default(null),
      lan: z.boolean().default(false),
    })
    .default({ hosting: false, port: null, lan: false }),
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

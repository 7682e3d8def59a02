// Per-user app preferences (theme, language, notifications), kept by the server so they follow a
// user to every device; every change reaches all of that user's connections at once.
import { Preferences } from '@switchboard/protocol';
import type { Store } from '../store/database.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Notifier } from './notifier.ts';

export class UserPreferences {
  private readonly clock: Clock;

  constructor(
    private readonly db: Store,
    private readonly notifier: Notifier,
    clock?: Clock,
  ) {
    this.clock = clock ?? systemClock;
  }

  /** What the user saved; `{}` (the app's defaults) if nothing, or nothing this version can read. */
  async get(userId: string): Promise<Preferences> {
    const row = await this.db
      .selectFrom('user_preferences')
      .select('data')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) return {};
    // Written by this code as JSON, but perhaps by a newer version with keys this one does not know.
    const parsed = Preferences.safeParse(JSON.parse(row.data));
    return parsed.success ? parsed.data : {};
  }

  /** Replaces the user's preferences (already validated against `Preferences`) and tells their devices. */
  async set(userId: string, preferences: Preferences): Promise<Preferences> {
    const data = JSON.stringify(preferences);
    const now = this.clock();
    await this.db
      .insertInto('user_preferences')
      .values({ user_id: userId, data, updated_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ data, updated_at: now }))
      .execute();
    this.notifier.toUser(userId, 'preferences', preferences);
    return preferences;
  }
}

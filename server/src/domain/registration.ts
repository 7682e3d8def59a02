// Who may create an account: closed (admins add people), invite, or open. Admins change it while the
// server runs; it is kept in the database, so it survives restarts and every process (the CLI too)
// reads the same value. A policy set in the server's configuration fixes it instead: then it cannot
// be changed at runtime, and the admin area says so. docs/self-hosting.md explains the precedence.
import { SwitchboardError, type RegistrationPolicy, type RegistrationSetting } from '@switchboard/protocol';
import type { Store } from '../store/database.ts';

const META_KEY = 'registration';
/** A new server's policy: nobody registers until an admin decides otherwise. */
export const DEFAULT_REGISTRATION: RegistrationPolicy = 'closed';

export class Registration {
  constructor(
    private readonly db: Store,
    /** The policy the configuration fixes, if it sets one. */
    private readonly configured: RegistrationPolicy | undefined,
  ) {}

  async current(): Promise<RegistrationSetting> {
    if (this.configured) return { registration: this.configured, locked: true };
    const row = await this.db
      .selectFrom('server_meta')
      .select('value')
      .where('key', '=', META_KEY)
      .executeTakeFirst();
    return { registration: asPolicy(row?.value), locked: false };
  }

  async policy(): Promise<RegistrationPolicy> {
    return (await this.current()).registration;
  }

  async set(registration: RegistrationPolicy): Promise<RegistrationSetting> {
    if (this.configured) {
      throw new SwitchboardError(
        'conflict',
        `the server's configuration fixes registration to "${this.configured}": change or remove the registration setting (--registration, SWITCHBOARD_REGISTRATION) and restart`,
      );
    }
    await this.db
      .insertInto('server_meta')
      .values({ key: META_KEY, value: registration })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: registration }))
      .execute();
    return { registration, locked: false };
  }
}

function asPolicy(stored: string | undefined): RegistrationPolicy {
  return stored === 'invite' || stored === 'open' || stored === 'closed' ? stored : DEFAULT_REGISTRATION;
}

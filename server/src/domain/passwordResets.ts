// Password resets an admin hands out: a one-time link that lets its holder set a new password for one
// account. Like an invite: a random code stored only as its hash, expiring, and used once (the row is
// deleted when it is used, and a newer reset for the same person replaces an older one).
import { newId, SwitchboardError, type User } from '@switchboard/protocol';
import type { Store } from '../store/database.ts';
import type { Clock } from '../clock.ts';
import type { Accounts } from './accounts.ts';
import { issueCode } from './oneTimeCodes.ts';
import { hashSecret } from './secrets.ts';

/** How long a reset link works. */
export const PASSWORD_RESET_TTL_MS = 24 * 60 * 60 * 1000;

const unusable = () =>
  new SwitchboardError('forbidden', 'the reset link is unknown, used or expired: ask an admin for a new one');

export class PasswordResets {
  constructor(
    private readonly db: Store,
    private readonly accounts: Accounts,
    private readonly clock: Clock,
  ) {}

  /** A new reset code for `userId`, made by admin `createdBy`; any older one for them stops working. */
  async issue(userId: string, createdBy: string): Promise<{ code: string; expiresAt: number }> {
    const user = await this.accounts.getUser(userId);
    if (user.deactivated)
      throw new SwitchboardError('conflict', `${user.username} is deactivated: reactivate them first`);
    const now = this.clock();
    const issued = issueCode('reset', now, PASSWORD_RESET_TTL_MS);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('password_resets')
        .where((eb) => eb.or([eb('user_id', '=', userId), eb('expires_at', '<=', now)]))
        .execute();
      await trx
        .insertInto('password_resets')
        .values({
          id: newId(),
          user_id: userId,
          code_hash: issued.codeHash,
          created_by: createdBy,
          created_at: now,
          expires_at: issued.expiresAt,
        })
        .execute();
    });
    return { code: issued.code, expiresAt: issued.expiresAt };
  }

  /**
   * Sets `password` for the account the code belongs to and uses the code up. Like a password change,
   * it ends the person's sign-in sessions and the access tokens those made. Returns the user.
   */
  async redeem(code: string, password: string): Promise<User> {
    const codeHash = hashSecret(code);
    const row = await this.db
      .selectFrom('password_resets')
      .select(['id', 'user_id'])
      .where('code_hash', '=', codeHash)
      .where('expires_at', '>', this.clock())
      .executeTakeFirst();
    if (!row) throw unusable();
    const user = await this.accounts.getUser(row.user_id);
    if (user.deactivated) throw unusable();
    // Deleting is what uses it: of two requests racing with the same code, one deletes it.
    const used = await this.db.deleteFrom('password_resets').where('id', '=', row.id).executeTakeFirst();
    if (Number(used.numDeletedRows) === 0) throw unusable();
    await this.accounts.setPassword(user.username, password);
    return user;
  }
}

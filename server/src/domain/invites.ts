// Invites: codes that let someone create an account while registration is "invite", each good for a
// number of accounts until it expires. Admins make, list and revoke them.
import { newId, SwitchboardError, type Invite } from '@switchboard/protocol';
import type { Store } from '../store/database.ts';
import type { InvitesTable } from '../store/schema.ts';
import type { Clock } from '../clock.ts';
import { issueCode } from './oneTimeCodes.ts';
import { hashSecret } from './secrets.ts';

function toInvite(row: InvitesTable): Invite {
  return {
    id: row.id,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    usesLeft: Number(row.uses_left),
  };
}

export class Invites {
  constructor(
    private readonly db: Store,
    private readonly clock: Clock,
  ) {}

  async create(
    createdBy: string,
    input: { ttlMs: number; uses: number },
  ): Promise<Invite & { code: string }> {
    const now = this.clock();
    const issued = issueCode('inv', now, input.ttlMs);
    const row: InvitesTable = {
      id: newId(),
      code_hash: issued.codeHash,
      created_by: createdBy,
      created_at: now,
      expires_at: issued.expiresAt,
      uses_left: input.uses,
    };
    await this.db.insertInto('invites').values(row).execute();
    return { ...toInvite(row), code: issued.code };
  }

  /** Invites that can still be used, newest first. */
  async listOpen(): Promise<Invite[]> {
    const rows = await this.db
      .selectFrom('invites')
      .selectAll()
      .where('uses_left', '>', 0)
      .where('expires_at', '>', this.clock())
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toInvite);
  }

  /** Ends an invite at once: its link stops working. */
  async revoke(id: string): Promise<void> {
    const deleted = await this.db.deleteFrom('invites').where('id', '=', id).executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) throw new SwitchboardError('not_found', 'no such invite');
  }

  /**
   * Takes one use of the invite with `code`; returns a function that gives it back (an account that
   * could not be created should not burn the invite).
   */
  async consume(code: string): Promise<() => Promise<void>> {
    const codeHash = hashSecret(code);
    const consumed = await this.db
      .updateTable('invites')
      .set((eb) => ({ uses_left: eb('uses_left', '-', 1) }))
      .where('code_hash', '=', codeHash)
      .where('uses_left', '>', 0)
      .where('expires_at', '>', this.clock())
      .executeTakeFirst();
    if (Number(consumed.numUpdatedRows) === 0)
      throw new SwitchboardError('forbidden', 'the invite is unknown, used up, expired or revoked');
    return async () => {
      await this.db
        .updateTable('invites')
        .set((eb) => ({ uses_left: eb('uses_left', '+', 1) }))
        .where('code_hash', '=', codeHash)
        .execute();
    };
  }
}

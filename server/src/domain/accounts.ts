// Users, passwords (argon2id), tokens, invites and the first-admin setup.
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import {
  DisplayName,
  newId,
  SwitchboardError,
  TOKEN_SCOPES,
  type TokenScope,
  type User,
} from '@switchboard/protocol';
import { parse } from '../errors.ts';
import type { Store } from '../store/database.ts';
import type { UsersTable } from '../store/schema.ts';
import { systemClock, type Clock } from '../clock.ts';
import { silentNotifier, type Notifier } from './notifier.ts';
import { hashSecret, newSecret } from './secrets.ts';

export type RegistrationPolicy = 'closed' | 'invite' | 'open';

export interface AccountsOptions {
  sessionTtlMs: number;
  registration: RegistrationPolicy;
  /** How long a setup code works after it is issued. */
  setupCodeTtlMs: number;
  clock?: Clock;
}

/** A user as seen through the token that authenticated them. */
export type Authenticated = User & { tokenId: string; tokenKind: 'session' | 'access'; scopes: TokenScope[] };

/** The user alone, without what belongs to the token that authenticated them. */
export function userOf(authenticated: Authenticated): User {
  const { tokenId: _tokenId, tokenKind: _tokenKind, scopes: _scopes, ...user } = authenticated;
  return user;
}

export interface IssuedToken {
  id: string;
  token: string;
  expiresAt: number | null;
}

export interface TokenInfo {
  id: string;
  userId: string;
  username: string;
  kind: 'session' | 'access';
  scopes: TokenScope[];
  label: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

// Verifying against a real hash when the user does not exist keeps sign-in timing the same either way.
const DUMMY_HASH = argonHash('switchboard-timing-equaliser');

export function toUser(row: UsersTable): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    isAdmin: row.is_admin === 1,
    createdAt: Number(row.created_at),
    deactivated: row.deactivated_at !== null,
  };
}

export class Accounts {
  private readonly clock: Clock;
  private setupCode: { hash: string; expiresAt: number } | null = null;

  constructor(
    private readonly db: Store,
    private readonly options: AccountsOptions,
    private readonly notifier: Notifier = silentNotifier,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  get registration(): RegistrationPolicy {
    return this.options.registration;
  }

  async countUsers(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async createUser(input: {
    username: string;
    password: string;
    isAdmin?: boolean;
    displayName?: string;
  }): Promise<User> {
    const row: UsersTable = {
      id: newId(),
      username: input.username,
      display_name: input.displayName === undefined ? input.username : parse(DisplayName, input.displayName),
      password_hash: await argonHash(input.password),
      is_admin: input.isAdmin ? 1 : 0,
      created_at: this.clock(),
      deactivated_at: null,
    };
    try {
      await this.db.insertInto('users').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err))
        throw new SwitchboardError('conflict', `the username "${input.username}" is taken`);
      throw err;
    }
    return toUser(row);
  }

  async listUsers(): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('username').execute();
    return rows.map(toUser);
  }

  async getUser(id: string): Promise<User> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new SwitchboardError('not_found', 'no such user');
    return toUser(row);
  }

  async findByUsername(username: string): Promise<User> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
    if (!row) throw new SwitchboardError('not_found', `no user named "${username}"`);
    return toUser(row);
  }

  /**
   * Removes a user's access: sign-in refused, every token revoked, live connections dropped. The
   * account row and its messages stay, so streams keep every seq and the name cannot be reused by
   * someone else to impersonate them.
   */
  async deactivateUser(username: string): Promise<void> {
    const user = await this.findByUsername(username);
    if (user.deactivated) throw new SwitchboardError('conflict', `${username} is already deactivated`);
    if (user.isAdmin && (await this.countActiveAdmins()) <= 1) {
      throw new SwitchboardError(
        'conflict',
        `${username} is the last admin: make someone else an admin first`,
      );
    }
    const now = this.clock();
    const revoked = await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ deactivated_at: now }).where('id', '=', user.id).execute();
      return trx
        .updateTable('tokens')
        .set({ revoked_at: now })
        .where('user_id', '=', user.id)
        .where('revoked_at', 'is', null)
        .returning('id')
        .execute();
    });
    this.notifier.tokensRevoked(revoked.map((t) => t.id));
  }

  private async countActiveAdmins(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('is_admin', '=', 1)
      .where('deactivated_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Sets a new password and revokes the user's sign-in sessions together with the access tokens those
   * sessions made — a thief's stolen session and whatever it minted — or, with `revokeAllTokens`,
   * every token of the user. Access tokens made otherwise (the CLI) stay. Returns how many were revoked.
   */
  async setPassword(
    username: string,
    password: string,
    options: { revokeAllTokens?: boolean } = {},
  ): Promise<number> {
    const user = await this.findByUsername(username);
    const passwordHash = await argonHash(password);
    const now = this.clock();
    const revoked = await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', user.id).execute();
      const active = trx
        .updateTable('tokens')
        .set({ revoked_at: now })
        .where('user_id', '=', user.id)
        .where('revoked_at', 'is', null)
        .returning('id');
      if (options.revokeAllTokens) return active.execute();
      const sessions = await active.where('kind', '=', 'session').execute();
      if (sessions.length === 0) return sessions;
      const made = await active
        .where(
          'created_by_token',
          'in',
          sessions.map((t) => t.id),
        )
        .execute();
      return [...sessions, ...made];
    });
    this.notifier.tokensRevoked(revoked.map((t) => t.id));
    return revoked.length;
  }

  async verifyPassword(username: string, password: string): Promise<User> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
    const ok = await argonVerify(row?.password_hash ?? (await DUMMY_HASH), password).catch(() => false);
    if (!row || !ok || row.deactivated_at !== null) {
      throw new SwitchboardError('unauthorized', 'wrong username or password');
    }
    return toUser(row);
  }

  async login(
    username: string,
    password: string,
  ): Promise<{ token: string; user: User; expiresAt: number | null }> {
    const user = await this.verifyPassword(username, password);
    const issued = await this.createToken(user.id, {
      kind: 'session',
      label: 'sign-in',
      ttlMs: this.options.sessionTtlMs,
    });
    return { token: issued.token, user, expiresAt: issued.expiresAt };
  }

  /** A new token; an access token gets `scopes` (chat when left out), a session every scope. */
  async createToken(
    userId: string,
    input: {
      kind: 'session' | 'access';
      label?: string;
      ttlMs?: number | null;
      scopes?: TokenScope[];
      /** The session making it, so a password change that ends the session ends this token too. */
      madeBy?: string;
    },
  ): Promise<IssuedToken> {
    const scopes = input.kind === 'session' ? TOKEN_SCOPES : (input.scopes ?? ['chat']);
    const token = newSecret('sb');
    const now = this.clock();
    const expiresAt = input.ttlMs ? now + input.ttlMs : null;
    const id = newId();
    await this.db
      .insertInto('tokens')
      .values({
        id,
        user_id: userId,
        token_hash: hashSecret(token),
        kind: input.kind,
        scopes: scopes.join(' '),
        label: input.label ?? '',
        created_at: now,
        expires_at: expiresAt,
        revoked_at: null,
        created_by_token: input.madeBy ?? null,
      })
      .execute();
    return { id, token, expiresAt };
  }

  /** The user a bearer token belongs to; expired, revoked and unknown tokens are all `unauthorized`. */
  async authenticate(token: string): Promise<Authenticated> {
    const row = await this.db
      .selectFrom('tokens')
      .innerJoin('users', 'users.id', 'tokens.user_id')
      .selectAll('users')
      .select([
        'tokens.id as token_id',
        'tokens.kind as token_kind',
        'tokens.scopes as token_scopes',
        'tokens.expires_at',
        'tokens.revoked_at',
      ])
      .where('tokens.token_hash', '=', hashSecret(token))
      .executeTakeFirst();
    if (
      !row ||
      row.revoked_at !== null ||
      row.deactivated_at !== null ||
      (row.expires_at !== null && Number(row.expires_at) <= this.clock())
    ) {
      throw new SwitchboardError('unauthorized', 'the token is unknown, expired or revoked: sign in again');
    }
    return {
      ...toUser(row),
      tokenId: row.token_id,
      tokenKind: row.token_kind,
      scopes: scopesOf(row.token_scopes),
    };
  }

  async revokeToken(tokenId: string, byUserId?: string): Promise<void> {
    let query = this.db
      .updateTable('tokens')
      .set({ revoked_at: this.clock() })
      .where('id', '=', tokenId)
      .where('revoked_at', 'is', null)
      .returning('id');
    if (byUserId) query = query.where('user_id', '=', byUserId);
    const revoked = await query.executeTakeFirst();
    if (!revoked) throw new SwitchboardError('not_found', 'no such active token');
    this.notifier.tokensRevoked([revoked.id]);
  }

  /** Which of these tokens still work (not revoked, not expired, user not deactivated). */
  async activeTokenIds(tokenIds: string[]): Promise<Set<string>> {
    if (tokenIds.length === 0) return new Set();
    const now = this.clock();
    const rows = await this.db
      .selectFrom('tokens')
      .innerJoin('users', 'users.id', 'tokens.user_id')
      .select('tokens.id')
      .where('tokens.id', 'in', tokenIds)
      .where('tokens.revoked_at', 'is', null)
      .where('users.deactivated_at', 'is', null)
      .where((eb) => eb.or([eb('tokens.expires_at', 'is', null), eb('tokens.expires_at', '>', now)]))
      .execute();
    return new Set(rows.map((r) => r.id));
  }

  async listTokens(username?: string): Promise<TokenInfo[]> {
    let query = this.db
      .selectFrom('tokens')
      .innerJoin('users', 'users.id', 'tokens.user_id')
      .select([
        'tokens.id',
        'tokens.user_id',
        'users.username',
        'tokens.kind',
        'tokens.scopes',
        'tokens.label',
        'tokens.created_at',
        'tokens.expires_at',
        'tokens.revoked_at',
      ])
      .orderBy('tokens.created_at');
    if (username) query = query.where('users.username', '=', username);
    const rows = await query.execute();
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      username: r.username,
      kind: r.kind,
      scopes: scopesOf(r.scopes),
      label: r.label,
      createdAt: Number(r.created_at),
      expiresAt: r.expires_at === null ? null : Number(r.expires_at),
      revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
    }));
  }

  /**
   * While no user exists, a one-time code (printed in the server's log) lets the first person
   * create the admin account from the web UI. It expires after `setupCodeTtlMs`; every start issues a
   * new one. Returns null once a user exists.
   */
  async issueSetupCode(): Promise<string | null> {
    if ((await this.countUsers()) > 0) return null;
    const code = newSecret('setup');
    this.setupCode = { hash: hashSecret(code), expiresAt: this.clock() + this.options.setupCodeTtlMs };
    return code;
  }

  async completeSetup(code: string, username: string, password: string): Promise<User> {
    const closed = () =>
      new SwitchboardError('forbidden', 'setup is closed or the setup code is wrong (see the server log)');
    if (!this.setupCode || hashSecret(code) !== this.setupCode.hash) throw closed();
    if (this.clock() >= this.setupCode.expiresAt) {
      throw new SwitchboardError(
        'forbidden',
        'the setup code has expired: restart the server, which prints a new one',
      );
    }
    // Used up before the first await, so two requests racing with the right code cannot both pass.
    this.setupCode = null;
    if ((await this.countUsers()) > 0) throw closed();
    return this.createUser({ username, password, isAdmin: true });
  }

  async createInvite(
    createdBy: string,
    input: { ttlMs: number; uses: number },
  ): Promise<{ code: string; expiresAt: number }> {
    const code = newSecret('inv');
    const now = this.clock();
    await this.db
      .insertInto('invites')
      .values({
        id: newId(),
        code_hash: hashSecret(code),
        created_by: createdBy,
        created_at: now,
        expires_at: now + input.ttlMs,
        uses_left: input.uses,
      })
      .execute();
    return { code, expiresAt: now + input.ttlMs };
  }

  async register(input: { username: string; password: string; invite?: string | undefined }): Promise<User> {
    const policy = this.options.registration;
    // Otherwise an outsider on an open server could register before the operator and leave it adminless.
    if ((await this.countUsers()) === 0) {
      throw new SwitchboardError(
        'forbidden',
        'this server has no admin yet: the first admin is created with the setup code or the CLI',
      );
    }
    if (policy === 'closed')
      throw new SwitchboardError('forbidden', 'registration is closed on this server: ask an admin');
    if (policy === 'open') return this.createUser(input);
    if (!input.invite) throw new SwitchboardError('forbidden', 'this server needs an invite to register');
    const inviteHash = hashSecret(input.invite);
    const now = this.clock();
    const consumed = await this.db
      .updateTable('invites')
      .set((eb) => ({ uses_left: eb('uses_left', '-', 1) }))
      .where('code_hash', '=', inviteHash)
      .where('uses_left', '>', 0)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(consumed.numUpdatedRows) === 0)
      throw new SwitchboardError('forbidden', 'the invite is unknown, used up or expired');
    try {
      return await this.createUser(input);
    } catch (err) {
      // Give the use back: a taken username should not burn the invite.
      await this.db
        .updateTable('invites')
        .set((eb) => ({ uses_left: eb('uses_left', '+', 1) }))
        .where('code_hash', '=', inviteHash)
        .execute();
      throw err;
    }
  }
}

function scopesOf(stored: string): TokenScope[] {
  return TOKEN_SCOPES.filter((scope) => stored.split(' ').includes(scope));
}

export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  // SQLite (better-sqlite3) and PostgreSQL (23505) spellings.
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

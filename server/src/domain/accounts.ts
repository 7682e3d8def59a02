// Users, passwords (argon2id), tokens and sign-in sessions, registration and the first-admin setup.
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import {
  DisplayName,
  newId,
  SwitchboardError,
  TOKEN_SCOPES,
  type DeviceSession,
  type TokenScope,
  type UpdateUserRequest,
  type User,
} from '@switchboard/protocol';
import { parse } from '../errors.ts';
import type { Store } from '../store/database.ts';
import type { UsersTable } from '../store/schema.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Invites } from './invites.ts';
import { silentNotifier, type Notifier } from './notifier.ts';
import type { Registration } from './registration.ts';
import { hashSecret, newSecret } from './secrets.ts';

export interface AccountsOptions {
  sessionTtlMs: number;
  registration: Registration;
  invites: Invites;
  /** How long a setup code works after it is issued. */
  setupCodeTtlMs: number;
  /** Runs for every new account once it is stored (it joins the server's first channel). */
  welcome?: (user: User) => Promise<void>;
  clock?: Clock;
}

/**
 * A token's last use is written at most this often: often enough for "last seen" and a device list,
 * rarely enough that requests do not each cost a write.
 */
export const TOKEN_USE_RESOLUTION_MS = 60_000;

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
    const user = toUser(row);
    await this.options.welcome?.(user);
    this.notifier.toEveryone('user.changed', user);
    return user;
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
    await this.updateUser(user.id, { deactivated: true });
  }

  /**
   * An admin's change to a user: make or remove admin, deactivate (as deactivateUser) or reactivate
   * (they sign in again; their old tokens stay revoked). The server always keeps an active admin:
   * the last one can be neither demoted nor deactivated. Everyone hears `user.changed`.
   */
  async updateUser(userId: string, change: UpdateUserRequest): Promise<User> {
    const now = this.clock();
    const { user, revoked } = await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
      if (!row) throw new SwitchboardError('not_found', 'no such user');
      const next: UsersTable = { ...row };
      if (change.isAdmin !== undefined) next.is_admin = change.isAdmin ? 1 : 0;
      if (change.deactivated !== undefined)
        next.deactivated_at = change.deactivated ? (row.deactivated_at ?? now) : null;
      const wasActiveAdmin = row.is_admin === 1 && row.deactivated_at === null;
      const staysActiveAdmin = next.is_admin === 1 && next.deactivated_at === null;
      if (wasActiveAdmin && !staysActiveAdmin) {
        // Counted inside the transaction, so two admins removing each other cannot both succeed.
        const admins = await trx
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('is_admin', '=', 1)
          .where('deactivated_at', 'is', null)
          .executeTakeFirstOrThrow();
        if (Number(admins.n) <= 1)
          throw new SwitchboardError(
            'conflict',
            `${row.username} is the last admin: make someone else an admin first`,
          );
      }
      await trx
        .updateTable('users')
        .set({ is_admin: next.is_admin, deactivated_at: next.deactivated_at })
        .where('id', '=', userId)
        .execute();
      const ended =
        row.deactivated_at === null && next.deactivated_at !== null
          ? await trx
              .updateTable('tokens')
              .set({ revoked_at: now })
              .where('user_id', '=', userId)
              .where('revoked_at', 'is', null)
              .returning('id')
              .execute()
          : [];
      return { user: toUser(next), revoked: ended };
    });
    this.notifier.tokensRevoked(revoked.map((t) => t.id));
    this.notifier.toEveryone('user.changed', user);
    return user;
  }

  /** Sets the name others see; everyone hears `user.changed`. */
  async setDisplayName(userId: string, displayName: string): Promise<User> {
    const name = parse(DisplayName, displayName);
    await this.db.updateTable('users').set({ display_name: name }).where('id', '=', userId).execute();
    const user = await this.getUser(userId);
    this.notifier.toEveryone('user.changed', user);
    return user;
  }

  /** Every user with when they were last seen: the latest use of any of their tokens. */
  async listWithLastSeen(): Promise<(User & { lastSeenAt: number | null })[]> {
    const rows = await this.db
      .selectFrom('users')
      .leftJoin('tokens', 'tokens.user_id', 'users.id')
      .selectAll('users')
      .select((eb) => eb.fn.max('tokens.last_used_at').as('last_seen_at'))
      .groupBy('users.id')
      .orderBy('users.username')
      .execute();
    return rows.map((row) => ({
      ...toUser(row),
      lastSeenAt: row.last_seen_at === null ? null : Number(row.last_seen_at),
    }));
  }

  /**
   * Sets a new password and revokes the user's sign-in sessions together with the access tokens those
   * sessions made — a thief's stolen session and whatever it minted — or, with `revokeAllTokens`,
   * every token of the user. Access tokens made otherwise (the CLI) stay, and so does `keepSession`:
   * the session that changed the password, which has just proved it knows it. Returns how many were
   * revoked.
   */
  async setPassword(
    username: string,
    password: string,
    options: { revokeAllTokens?: boolean; keepSession?: string } = {},
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
        .where('id', '!=', options.keepSession ?? '')
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

  /** Checks the password and starts a session on `device` (its label in the device list). */
  async login(
    username: string,
    password: string,
    device = '',
  ): Promise<{ token: string; user: User; expiresAt: number | null }> {
    const user = await this.verifyPassword(username, password);
    return this.startSession(user, device);
  }

  /** A new sign-in session for `user`, who has proved who they are. */
  async startSession(
    user: User,
    device: string,
  ): Promise<{ token: string; user: User; expiresAt: number | null }> {
    const issued = await this.createToken(user.id, {
      kind: 'session',
      label: device,
      ttlMs: this.options.sessionTtlMs,
    });
    return { token: issued.token, user, expiresAt: issued.expiresAt };
  }

  /** The user's sign-in sessions that still work, newest first; `current` marks `currentTokenId`. */
  async sessions(userId: string, currentTokenId: string): Promise<DeviceSession[]> {
    const now = this.clock();
    const rows = await this.db
      .selectFrom('tokens')
      .select(['id', 'label', 'created_at', 'last_used_at', 'expires_at'])
      .where('user_id', '=', userId)
      .where('kind', '=', 'session')
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      device: r.label,
      createdAt: Number(r.created_at),
      lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
      expiresAt: r.expires_at === null ? null : Number(r.expires_at),
      current: r.id === currentTokenId,
    }));
  }

  /** Signs out one of the user's sessions (any device, this one included). */
  async endSession(userId: string, sessionId: string): Promise<void> {
    const ended = await this.db
      .updateTable('tokens')
      .set({ revoked_at: this.clock() })
      .where('id', '=', sessionId)
      .where('user_id', '=', userId)
      .where('kind', '=', 'session')
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!ended) throw new SwitchboardError('not_found', 'no such signed-in session');
    this.notifier.tokensRevoked([ended.id]);
  }

  /** Signs out every session of the user but `keepSession`; returns how many were ended. */
  async endOtherSessions(userId: string, keepSession: string): Promise<number> {
    const ended = await this.db
      .updateTable('tokens')
      .set({ revoked_at: this.clock() })
      .where('user_id', '=', userId)
      .where('kind', '=', 'session')
      .where('revoked_at', 'is', null)
      .where('id', '!=', keepSession)
      .returning('id')
      .execute();
    this.notifier.tokensRevoked(ended.map((t) => t.id));
    return ended.length;
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
        // Issuing a token is its first use: a session's is its sign-in.
        last_used_at: now,
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
        'tokens.last_used_at',
      ])
      .where('tokens.token_hash', '=', hashSecret(token))
      .executeTakeFirst();
    const now = this.clock();
    if (
      !row ||
      row.revoked_at !== null ||
      row.deactivated_at !== null ||
      (row.expires_at !== null && Number(row.expires_at) <= now)
    ) {
      throw new SwitchboardError('unauthorized', 'the token is unknown, expired or revoked: sign in again');
    }
    if (row.last_used_at === null || Number(row.last_used_at) <= now - TOKEN_USE_RESOLUTION_MS)
      await this.touch(row.token_id);
    return {
      ...toUser(row),
      tokenId: row.token_id,
      tokenKind: row.token_kind,
      scopes: scopesOf(row.token_scopes),
    };
  }

  /** Records that a token is in use now (at most once per TOKEN_USE_RESOLUTION_MS). */
  async touch(tokenId: string): Promise<void> {
    const now = this.clock();
    await this.db
      .updateTable('tokens')
      .set({ last_used_at: now })
      .where('id', '=', tokenId)
      .where((eb) =>
        eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', now - TOKEN_USE_RESOLUTION_MS)]),
      )
      .execute();
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

  async register(input: { username: string; password: string; invite?: string | undefined }): Promise<User> {
    const policy = await this.options.registration.policy();
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
    const giveBack = await this.options.invites.consume(input.invite);
    try {
      return await this.createUser(input);
    } catch (err) {
      // A taken username should not burn the invite.
      await giveBack();
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

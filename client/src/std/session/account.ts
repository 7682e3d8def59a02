// Which server the session talks to and who is signed in there. The session record (server address,
// token, user) is what survives a restart; the REST calls that happen before there is a socket (status,
// sign-in, registration, first-admin setup, sign-out) are made here. Tokens and history belong to one
// server and one user: moving to another server, or signing in as someone else, forgets the last
// account's data on this device.
import { z } from 'zod';
import { SwitchboardError, User } from '@switchboard/protocol';
import { Results, type RequestParams, type RequestResults } from '../contract.ts';
import type { Logger } from '../log.ts';
import { firstVersion, Records } from '../records.ts';
import { normalizeServerUrl, parseAnswer, restCall } from '../rest.ts';
import { deletePrefix, type KeyValueStorage } from '../storage.ts';

const SESSION_KEY = 'session';

const SessionRecord = z.object({
  serverUrl: z.string().nullable(),
  token: z.string().nullable(),
  user: User.nullable(),
});
type SessionRecord = z.infer<typeof SessionRecord>;

const SESSION_RECORD = firstVersion('session', SessionRecord);

const NO_SESSION: SessionRecord = { serverUrl: null, token: null, user: null };

const SignedIn = z.object({ token: z.string().min(1), user: User });
export type SignedIn = z.infer<typeof SignedIn>;

/** Where each kind of sign-in goes. */
const SIGN_IN_PATHS = {
  signIn: '/api/v1/auth/login',
  setupAdmin: '/api/v1/auth/setup',
  register: '/api/v1/auth/register',
  resetPassword: '/api/v1/auth/reset',
} as const;
export type SignInMethod = keyof typeof SIGN_IN_PATHS;

/** Keys of one user's data on this device. */
export const userPrefix = (userId: string): string => `user/${userId}/`;

export class AccountRecord {
  /** The server this session talks to; null until one is set. */
  serverUrl: string | null = null;
  private readonly records: Records<SessionRecord>;

  constructor(
    private readonly storage: KeyValueStorage,
    log: Logger,
  ) {
    this.records = new Records(storage, SESSION_RECORD, log);
  }

  /** The stored session, on `serverUrl` if given; the sign-in to resume, if there is one. */
  async restore(serverUrl?: string): Promise<SignedIn | null> {
    if (serverUrl !== undefined) {
      const url = normalizeServerUrl(serverUrl);
      if (url !== (await this.read()).serverUrl) await this.moveTo(url);
    }
    const record = await this.read();
    this.serverUrl = record.serverUrl;
    return record.token && record.user ? { token: record.token, user: record.user } : null;
  }

  /** The user last signed in here (signed out by the server, or still signed in). */
  async lastUser(): Promise<User | null> {
    return (await this.read()).user;
  }

  /** Moves to another server: the last account's data on this device is forgotten. */
  async moveTo(url: string): Promise<void> {
    const { user } = await this.read();
    if (user) await deletePrefix(this.storage, userPrefix(user.id));
    this.serverUrl = url;
    await this.save({ serverUrl: url, token: null, user: null });
  }

  /**
   * The same server, reached at another address now (a server on this computer that had to take
   * another port): the sign-in and everything kept for it stay.
   */
  async relocate(url: string): Promise<void> {
    const record = await this.read();
    this.serverUrl = url;
    await this.save({ ...record, serverUrl: url });
  }

  authStatus(): Promise<RequestResults['authStatus']> {
    return restCall(this.requireServer(), 'GET', '/api/v1/auth/status').then((answer) =>
      parseAnswer(Results.authStatus, answer),
    );
  }

  /** Signs in (or registers, or sets up the first admin) over REST; nothing is stored yet. */
  async signIn<M extends SignInMethod>(method: M, params: RequestParams<M>): Promise<SignedIn> {
    const answer = await restCall(this.requireServer(), 'POST', SIGN_IN_PATHS[method], { json: params });
    return parseAnswer(SignedIn, answer);
  }

  /** Records a sign-in; another account's history and outbox have no business on this device any more. */
  async signedIn({ token, user }: SignedIn, previous: User | null): Promise<void> {
    if (previous && previous.id !== user.id) await deletePrefix(this.storage, userPrefix(previous.id));
    await this.save({ serverUrl: this.serverUrl, token, user });
  }

  /** Revokes `token` on the server: a courtesy, so signing out works offline too. */
  async revoke(token: string): Promise<void> {
    if (this.serverUrl)
      await restCall(this.serverUrl, 'POST', '/api/v1/auth/logout', { token }).catch(() => {});
  }

  /** Records a sign-out; `keep` is a user whose data stays here for when they sign in again. */
  signedOut(keep: User | null): Promise<void> {
    return this.save({ serverUrl: this.serverUrl, token: null, user: keep });
  }

  requireServer(): string {
    if (!this.serverUrl) throw new SwitchboardError('bad_request', 'set the server address first');
    return this.serverUrl;
  }

  private async read(): Promise<SessionRecord> {
    return (await this.records.read(SESSION_KEY)) ?? NO_SESSION;
  }

  private save(record: SessionRecord): Promise<void> {
    return this.records.write(SESSION_KEY, record);
  }
}

// The people on the server and whether they are online, for names, mentions and presence dots.
import type { Presence, User, UserWithPresence } from '@switchboard/protocol';

export interface UsersHost {
  /** Asks the server for everyone, with their presence. */
  fetch(): Promise<UserWithPresence[]>;
  /** The whole list changed (saved, and a new snapshot told). */
  listed(): void;
  presence(userId: string, status: Presence): void;
  /** A user changed, who may be the one signed in. */
  self(user: User): void;
}

export class Users {
  private users = new Map<string, UserWithPresence>();
  private refreshing = false;
  /** Accounts that changed while a refresh was on its way: newer than what it brings. */
  private changedMeanwhile = new Map<string, User>();

  constructor(private readonly host: UsersHost) {}

  /** The saved list of a session that starts: nobody is known to be online yet. */
  load(users: readonly User[]): void {
    this.users = new Map(users.map((u) => [u.id, { ...u, presence: 'offline' }]));
  }

  clear(): void {
    this.users.clear();
  }

  /** By username. */
  list(): UserWithPresence[] {
    return [...this.users.values()].sort((a, b) => a.username.localeCompare(b.username));
  }

  get(userId: string): UserWithPresence | undefined {
    return this.users.get(userId);
  }

  /** What is saved: presence is live state, never stored. */
  saved(): User[] {
    return [...this.users.values()].map(({ presence: _presence, ...user }) => user);
  }

  async refresh(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const users = await this.host.fetch();
      this.users = new Map(users.map((u) => [u.id, u]));
      for (const user of this.changedMeanwhile.values())
        this.users.set(user.id, { ...user, presence: this.users.get(user.id)?.presence ?? 'offline' });
      this.host.listed();
    } catch {
      // The next connect asks again.
    } finally {
      this.refreshing = false;
      this.changedMeanwhile.clear();
    }
  }

  /** Someone's account changed (name, role, deactivated), or someone new came: the list follows. */
  changed(user: User): void {
    if (this.refreshing) this.changedMeanwhile.set(user.id, user);
    const presence = this.users.get(user.id)?.presence ?? 'offline';
    this.users.set(user.id, { ...user, presence });
    this.host.self(user);
    this.host.listed();
  }

  onPresence(userId: string, status: Presence): void {
    const user = this.users.get(userId);
    // Someone new: the whole list, with their name, is due.
    if (!user) return void this.refresh();
    this.users.set(userId, { ...user, presence: status });
    this.host.presence(userId, status);
  }
}

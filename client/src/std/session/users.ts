// The people on the server and whether they are online, for names, mentions and presence dots.
import type { Presence, User, UserWithPresence } from '@switchboard/protocol';

export interface UsersHost {
  /** Asks the server for everyone, with their presence. */
  fetch(): Promise<UserWithPresence[]>;
  /** The whole list changed (saved, and a new snapshot told). */
  listed(): void;
  presence(userId: string, status: Presence): void;
}

export class Users {
  private users = new Map<string, UserWithPresence>();
  private refreshing = false;

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
      this.host.listed();
    } catch {
      // The next connect asks again.
    } finally {
      this.refreshing = false;
    }
  }

  onPresence(userId: string, status: Presence): void {
    const user = this.users.get(userId);
    // Someone new: the whole list, with their name, is due.
    if (!user) return void this.refresh();
    this.users.set(userId, { ...user, presence: status });
    this.host.presence(userId, status);
  }
}

// People and presence: saved without presence, refreshed once at a time, and someone unknown
// coming online brings the whole list again.
import { describe, expect, it, vi } from 'vitest';
import type { User, UserWithPresence } from '@switchboard/protocol';
import { Users } from './users.ts';

const user = (id: string): User => ({
  id,
  username: id,
  displayName: id.toUpperCase(),
  isAdmin: false,
  createdAt: 0,
  deactivated: false,
});

describe('Users', () => {
  it('starts everyone offline, follows presence, and fetches the list for someone new', async () => {
    const presence: string[] = [];
    let fetched = 0;
    let answer: UserWithPresence[] = [];
    const users = new Users({
      fetch: async () => {
        fetched += 1;
        return answer;
      },
      listed: () => {},
      presence: (userId, status) => presence.push(`${userId}:${status}`),
      self: () => {},
    });
    users.load([user('bob'), user('amy')]);
    expect(users.list().map((u) => `${u.id}:${u.presence}`)).toEqual(['amy:offline', 'bob:offline']);
    users.onPresence('bob', 'online');
    expect(presence).toEqual(['bob:online']);
    expect(users.saved()).toEqual([user('bob'), user('amy')]);

    answer = [{ ...user('cat'), presence: 'online' }];
    users.onPresence('cat', 'online');
    await vi.waitFor(() => expect(users.list().map((u) => u.id)).toEqual(['cat']));
    expect(fetched).toBe(1);
  });

  it('follows a changed account, keeping what is known of its presence, and says whose it was', () => {
    const selves: User[] = [];
    let listed = 0;
    const users = new Users({
      fetch: async () => [],
      listed: () => (listed += 1),
      presence: () => {},
      self: (changed) => selves.push(changed),
    });
    users.load([user('bob')]);
    users.onPresence('bob', 'online');
    users.changed({ ...user('bob'), displayName: 'Robert', isAdmin: true });
    users.changed(user('newcomer'));
    expect(users.list()).toEqual([
      { ...user('bob'), displayName: 'Robert', isAdmin: true, presence: 'online' },
      { ...user('newcomer'), presence: 'offline' },
    ]);
    expect(selves.map((u) => u.id)).toEqual(['bob', 'newcomer']);
    expect(listed).toBe(2);
  });

  it('keeps a change that arrived while a refresh was on its way, which brings an older list', async () => {
    let answer: (users: UserWithPresence[]) => void = () => {};
    const users = new Users({
      fetch: () => new Promise((resolve) => (answer = resolve)),
      listed: () => {},
      presence: () => {},
      self: () => {},
    });
    const refreshed = users.refresh();
    users.changed({ ...user('bob'), displayName: 'Robert' });
    answer([{ ...user('bob'), presence: 'online' }]);
    await refreshed;
    expect(users.list()).toEqual([{ ...user('bob'), displayName: 'Robert', presence: 'online' }]);
  });
});

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
});

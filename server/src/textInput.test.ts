// Text the server could not store or show as sent is refused at the door, the same way over REST and
// Socket.IO: ill-formed UTF-16 (a lone surrogate) in any text field, and control characters or
// bidirectional overrides in the one-line names people read (token labels, channel topics, display
// names). Refusals are `validation_failed` with `issues` naming the field, and change nothing.
import { describe, expect, it } from 'vitest';
import { newId } from '@switchboard/protocol';
import { useTestServer } from '../../tests/support/lifecycle.ts';
import {
  api,
  createChannelWith,
  createConnectedUser,
  createUser,
  perform,
  summaryOf,
  uniqueName,
  type Transport,
} from '../../tests/support/server.ts';

const { server } = useTestServer();

const LONE_SURROGATES = ['x\ud800y', '\udfff', 'a\udc00\ud800b', '\ud83d'];
/** C0 and C1 controls, DEL, and the bidirectional embeddings, overrides and isolates. */
const CONTROLS = [
  '\u001b[31mred',
  'two\nlines',
  'tab\there',
  'bell\u0007',
  'del\u007f',
  'nel\u0085',
  'evil\u202efdp.exe',
  'iso\u2066x\u2069',
];

const expectRefused = (
  result: { ok: boolean; error?: { code: string; issues?: { path: string }[] } },
  field: string,
) => {
  expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  expect(result.error!.issues?.map((i) => i.path)).toContain(field);
};

describe.each<Transport>(['rest', 'socket'])('over %s', (via) => {
  it('refuses a lone surrogate in message text, on send and on edit, and stores nothing', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await createChannelWith(server, via, alice);
    for (const text of LONE_SURROGATES) {
      const sent = await perform(server, via, alice, 'message.send', {
        channelId: channel.id,
        clientId: newId(),
        text,
      });
      expectRefused(sent, 'text');
    }
    // 8,000 lone surrogates would have been stored as 24,000 UTF-16 units, three times the limit.
    const many = await perform(server, via, alice, 'message.send', {
      channelId: channel.id,
      clientId: newId(),
      text: '\ud800'.repeat(8000),
    });
    expectRefused(many, 'text');
    expect((await summaryOf(server, via, alice, channel.id)).headSeq).toBe(0);

    const ok = await perform(server, via, alice, 'message.send', {
      channelId: channel.id,
      clientId: newId(),
      text: 'fine 💥',
    });
    expect(ok.ok).toBe(true);
    const messageId = (ok as { data: { id: string } }).data.id;
    expectRefused(await perform(server, via, alice, 'message.edit', { messageId, text: 'x\ud800' }), 'text');
    expect((await summaryOf(server, via, alice, channel.id)).headSeq).toBe(1);
  });

  it('refuses blank text with issues naming the field', async () => {
    const alice = await createConnectedUser(server, 'alice');
    const channel = await createChannelWith(server, via, alice);
    for (const text of ['', ' ', '\n\t ']) {
      const sent = await perform(server, via, alice, 'message.send', {
        channelId: channel.id,
        clientId: newId(),
        text,
      });
      expectRefused(sent, 'text');
    }
  });

  it('refuses control characters, bidi overrides and lone surrogates in a channel topic', async () => {
    const alice = await createConnectedUser(server, 'alice');
    for (const topic of [...CONTROLS, ...LONE_SURROGATES]) {
      const made = await perform(server, via, alice, 'channel.create', {
        name: uniqueName('topic'),
        visibility: 'public',
        topic,
      });
      expectRefused(made, 'topic');
    }
    const fine = await perform(server, via, alice, 'channel.create', {
      name: uniqueName('topic'),
      visibility: 'public',
      topic: 'Deploys — ünïcødé is fine 🚀',
    });
    expect(fine.ok).toBe(true);
  });
});

describe('REST account fields', () => {
  it('refuses control characters, bidi overrides and lone surrogates in a token label', async () => {
    const alice = await createUser(server, uniqueName('alice'));
    for (const label of [...CONTROLS, ...LONE_SURROGATES]) {
      const res = await api(server.url, 'POST', '/api/v1/tokens', { token: alice.token, json: { label } });
      expect(res.status, JSON.stringify(label)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'validation_failed', issues: [{ path: 'label' }] });
    }
    const tokens = await api(server.url, 'GET', '/api/v1/tokens', { token: alice.token });
    expect(tokens.body.tokens.filter((t: { kind: string }) => t.kind === 'access')).toEqual([]);
  });

  it('refuses a lone surrogate in passwords, invite and setup codes', async () => {
    const alice = await createUser(server, uniqueName('alice'));
    const attempts = [
      ['/api/v1/auth/login', { username: alice.user.username, password: 'pw\ud800pw\ud800' }, 'password'],
      ['/api/v1/auth/register', { username: uniqueName('new'), password: 'long-password\udfff' }, 'password'],
      [
        '/api/v1/auth/register',
        { username: uniqueName('new'), password: 'long-password', invite: 'inv_\ud800' },
        'invite',
      ],
      [
        '/api/v1/auth/setup',
        { setupCode: 'setup_\ud800', username: 'root', password: 'long-password' },
        'setupCode',
      ],
    ] as const;
    for (const [path, json, field] of attempts) {
      const res = await api(server.url, 'POST', path, { json });
      expect(res.status, path).toBe(400);
      expect(
        res.body.error.issues.map((i: { path: string }) => i.path),
        path,
      ).toContain(field);
    }
    const change = await api(server.url, 'POST', '/api/v1/me/password', {
      token: alice.token,
      json: { currentPassword: alice.password, newPassword: 'new-password\ud800' },
    });
    expect(change.status).toBe(400);
    expect(change.body.error.issues[0].path).toBe('newPassword');
    expect((await api(server.url, 'GET', '/api/v1/me', { token: alice.token })).status).toBe(200);
  });

  it('refuses a display name with control characters or bidi overrides', async () => {
    for (const displayName of CONTROLS) {
      await expect(
        server.ctx.accounts.createUser({
          username: uniqueName('shown'),
          password: 'long-password',
          displayName,
        }),
      ).rejects.toMatchObject({ code: 'validation_failed' });
    }
    const fine = await server.ctx.accounts.createUser({
      username: uniqueName('shown'),
      password: 'long-password',
      displayName: 'Zoë 🚀',
    });
    expect(fine.displayName).toBe('Zoë 🚀');
  });
});

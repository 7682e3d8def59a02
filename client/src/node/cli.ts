// A small terminal client on the session core, for trying a server by hand or from a script:
//
//   node --import tsx client/src/node/cli.ts --server http://127.0.0.1:8080 --user alice [--channel general]
//
// The first line on stdin is the password; every later line is sent to the channel (which must
// exist), and the channel's messages are printed as they arrive. Unsent lines wait in the outbox
// under --data-dir (default ~/.switchboard-cli/<user>).
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { createNodeSession, whenOnline, type DisplayMessage } from './index.ts';

const { values } = parseArgs({
  options: {
    server: { type: 'string' },
    user: { type: 'string' },
    channel: { type: 'string', default: 'general' },
    'data-dir': { type: 'string' },
  },
});
if (!values.server || !values.user) {
  process.stderr.write(
    'usage: cli.ts --server URL --user NAME [--channel NAME] [--data-dir DIR]  (password on stdin)\n',
  );
  process.exit(2);
}
const out = (line: string) => process.stdout.write(`${line}\n`);
/** Ends with a message a person can act on, not a stack trace. */
function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}
const note = (level: string) => (message: string, details?: Record<string, unknown>) =>
  process.stderr.write(`${level}: ${message}${details ? ` ${JSON.stringify(details)}` : ''}\n`);

const core = await createNodeSession({
  dataDir: values['data-dir'] ?? path.join(os.homedir(), '.switchboard-cli', values.user),
  serverUrl: values.server,
  logger: { warn: note('warning'), error: note('error') },
});
const lines = readline.createInterface({ input: process.stdin, terminal: false })[Symbol.asyncIterator]();
if (process.stdin.isTTY) process.stdout.write('password: ');
const password = (await lines.next()).value as string | undefined;
await core
  .request('signIn', { username: values.user, password: password ?? '' })
  .catch((err: Error) => fail(`cannot sign in as ${values.user}: ${err.message}`));
await whenOnline(core);

const name = values.channel;
/** The public channel of that name, looked for page by page among those whose names contain it. */
async function findPublic(): Promise<{ id: string } | undefined> {
  let cursor: string | undefined;
  do {
    const page = await core.request('browseChannels', { query: name, limit: 200, cursor });
    const found = page.channels.find((c) => c.name === name);
    if (found) return found;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return undefined;
}
const open = await findPublic();
const channel = open
  ? await core.request('joinChannel', { channelId: open.id })
  : (await core.request('getSnapshot', {})).channels.find((c) => c.name === name);
if (!channel)
  fail(
    `no channel named "${name}" that ${values.user} can use: create it (web client or POST /api/v1/channels) or pick one with --channel`,
  );

const names = new Map<string, string>();
const remember = (users: { id: string; username: string }[]) =>
  users.forEach((u) => names.set(u.id, u.username));
remember((await core.request('getSnapshot', {})).users);
core.on('snapshot', (snapshot) => remember(snapshot.users));

const printed = new Set<string>();
/** Prints a message when it arrives, is edited or is deleted; reactions and reply counts are not shown. */
const print = (m: DisplayMessage) => {
  const key = `${m.id}:${m.editedAt ?? ''}:${m.deletedAt ?? ''}`;
  if (m.delivery !== 'sent' || printed.has(key)) return;
  printed.add(key);
  const time = new Date(m.ts).toTimeString().slice(0, 5);
  const text = m.deletedAt ? '(deleted)' : `${m.text}${m.editedAt ? ' (edited)' : ''}`;
  const reply = m.parentId === null ? '' : '↳ ';
  out(`[${time}] ${reply}${names.get(m.authorId) ?? m.authorId}: ${text}`);
};

/** Lines sent but not yet seen stored, by clientId. */
const unsent = new Set<string>();
core.on('messages', (event) => {
  if (event.channelId !== channel.id) return;
  for (const m of event.messages) if (m.delivery === 'sent') unsent.delete(m.clientId);
  event.messages.forEach(print);
});
(await core.request('openChannel', { channelId: channel.id })).messages.forEach(print);

for await (const line of { [Symbol.asyncIterator]: () => lines }) {
  if (line.trim()) unsent.add((await core.request('send', { channelId: channel.id, text: line })).clientId);
}
// Input ended: give what is still queued a moment to be delivered before leaving.
for (let waited = 0; unsent.size > 0 && waited < 10_000; waited += 100)
  await new Promise((r) => setTimeout(r, 100));
await core.close();
process.exit(unsent.size > 0 ? 1 : 0);

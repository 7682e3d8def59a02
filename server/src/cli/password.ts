import { randomBytes } from 'node:crypto';
import { SwitchboardError } from '@switchboard/protocol';

export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** The first line of standard input, without its line ending. */
export async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new SwitchboardError(
      'bad_request',
      '--password-stdin expects the password piped in, e.g. echo "…" | …',
    );
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (line.length === 0) throw new SwitchboardError('bad_request', 'no password on standard input');
  return line;
}

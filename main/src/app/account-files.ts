// Where each account of the server list keeps its files under userData: the first one where the app
// kept them before there was a list (session/, session-token), every other one in servers/<id>/. And
// how an account removed from the list takes its files with it — only its own.
import fs from 'node:fs';
import path from 'node:path';
import { FIRST_ACCOUNT, type ServerAccount } from './servers.ts';

export interface AccountFiles {
  /** The session core's data folder (cache, outbox). */
  dataDir: string;
  /** The sign-in token, encrypted (SafeStorageSecrets). */
  token: string;
}

export function accountFiles(userData: string, account: ServerAccount): AccountFiles {
  if (account.id === FIRST_ACCOUNT)
    return { dataDir: path.join(userData, 'session'), token: path.join(userData, 'session-token') };
  const dir = path.join(userData, 'servers', account.id);
  return { dataDir: path.join(dir, 'session'), token: path.join(dir, 'session-token') };
}

/** Deletes what the account kept on this computer (its core has stopped). */
export function forgetAccountFiles(userData: string, account: ServerAccount): void {
  const files = accountFiles(userData, account);
  fs.rmSync(files.dataDir, { recursive: true, force: true });
  fs.rmSync(files.token, { force: true });
  if (account.id !== FIRST_ACCOUNT)
    fs.rmSync(path.join(userData, 'servers', account.id), { recursive: true, force: true });
}

// The session token between runs: encrypted with Electron's safeStorage (the OS keychain, DPAPI,
// or the Linux secret service) in one file under userData. Where safeStorage can only use its
// `basic_text` backend (Linux without a keyring) the token is kept with that backend's fixed key —
// obfuscated, readable only by the user (0600) — rather than not at all, and Settings says so.
import fs from 'node:fs';
import path from 'node:path';
import type { SecretStore } from '../core/core-host.ts';
import type { Log } from '../shared/log.ts';

/** Electron's safeStorage, as used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /**
   * Linux: lets `basic_text` (no keyring) count as available. Without it safeStorage refuses to
   * encrypt there, and the sign-in would last only until the app quits. A no-op elsewhere.
   */
  setUsePlainTextEncryption(usePlainText: boolean): void;
  /** Linux only (undefined elsewhere); reads what the first encrypt, decrypt or availability check chose. */
  getSelectedStorageBackend?(): string;
}

/**
 * Where the token's key lives, for Settings: the Linux backend (`basic_text`: no keyring), or "os".
 * Asks isEncryptionAvailable first: safeStorage picks its Linux backend only on its first use.
 */
export function secretStorageKind(safeStorage: SafeStorageLike, platform: NodeJS.Platform): string {
  if (platform !== 'linux' || !safeStorage.getSelectedStorageBackend) return 'os';
  safeStorage.isEncryptionAvailable();
  return safeStorage.getSelectedStorageBackend();
}

export class SafeStorageSecrets implements SecretStore {
  constructor(
    private readonly file: string,
    private readonly safeStorage: SafeStorageLike,
    private readonly log: Log,
  ) {
    safeStorage.setUsePlainTextEncryption(true);
  }

  load(): string | null {
    let encrypted: Buffer;
    try {
      encrypted = fs.readFileSync(this.file);
    } catch {
      return null;
    }
    try {
      return this.safeStorage.decryptString(encrypted);
    } catch (err) {
      // A keyring that changed or a damaged file: signing in again is the way out.
      this.log.warn({ error: (err as Error).message }, 'could not decrypt the stored token; sign in again');
      return null;
    }
  }

  save(token: string | null): void {
    try {
      if (token === null) return fs.rmSync(this.file, { force: true });
      if (!this.safeStorage.isEncryptionAvailable()) {
        this.log.error({}, 'safeStorage cannot encrypt here: the sign-in lasts until the app quits');
        return;
      }
      const temp = `${this.file}.${process.pid}.tmp`;
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(temp, this.safeStorage.encryptString(token), { mode: 0o600 });
      fs.renameSync(temp, this.file);
    } catch (err) {
      this.log.error({ error: (err as Error).message }, 'could not store the token');
    }
  }
}

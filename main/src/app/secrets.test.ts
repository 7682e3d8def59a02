import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingLog } from '../testing/fakes.ts';
import { SafeStorageSecrets, secretStorageKind, type SafeStorageLike } from './secrets.ts';

/**
 * safeStorage as Electron implements it (shell/browser/api/electron_api_safe_storage.cc): an
 * opaque, reversible transform, failing on bytes it did not produce. On Linux the backend is picked
 * on first use; `basic_text` (no keyring) counts as available only after
 * setUsePlainTextEncryption(true), and encrypt and decrypt throw while it is unavailable.
 */
class FakeSafeStorage implements SafeStorageLike {
  private plainTextAllowed = false;
  private backend = '';
  getSelectedStorageBackend?: () => string;
  constructor(private readonly machine: 'keyring' | 'no-keyring' | 'not-linux' = 'keyring') {
    if (machine !== 'not-linux') this.getSelectedStorageBackend = () => this.backend;
  }
  isEncryptionAvailable(): boolean {
    if (this.machine === 'not-linux') return true;
    this.backend = this.machine === 'keyring' ? 'gnome_libsecret' : 'basic_text';
    return this.machine === 'keyring' || this.plainTextAllowed;
  }
  setUsePlainTextEncryption(usePlainText: boolean): void {
    this.plainTextAllowed = usePlainText;
  }
  encryptString(plainText: string): Buffer {
    if (!this.isEncryptionAvailable()) throw new Error('Encryption is not available.');
    return Buffer.concat([Buffer.from('v10'), Buffer.from(plainText).map((b) => b ^ 0x5a)]);
  }
  decryptString(encrypted: Buffer): string {
    if (!this.isEncryptionAvailable()) throw new Error('Decryption is not available.');
    if (!encrypted.subarray(0, 3).equals(Buffer.from('v10')))
      throw new Error('Error while decrypting the ciphertext');
    return Buffer.from(encrypted.subarray(3).map((b) => b ^ 0x5a)).toString();
  }
}

/** Encryption that stays unavailable (a keyring that cannot be reached, say). */
class UnavailableSafeStorage extends FakeSafeStorage {
  override isEncryptionAvailable(): boolean {
    return false;
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function store(safeStorage = new FakeSafeStorage()) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-secrets-'));
  dirs.push(dir);
  const file = path.join(dir, 'session-token');
  const log = new RecordingLog();
  return { secrets: new SafeStorageSecrets(file, safeStorage, log), file, log };
}

describe('SafeStorageSecrets', () => {
  it('keeps the token encrypted on disk and gives it back', () => {
    const { secrets, file } = store();
    secrets.save('secret-token-123');
    expect(fs.readFileSync(file).toString('latin1')).not.toContain('secret-token-123');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(secrets.load()).toBe('secret-token-123');
  });

  it('forgets the token on sign-out', () => {
    const { secrets, file } = store();
    secrets.save('t');
    secrets.save(null);
    expect(fs.existsSync(file)).toBe(false);
    expect(secrets.load()).toBeNull();
  });

  it('treats a file it cannot decrypt as no token, and says so', () => {
    const { secrets, file, log } = store();
    fs.writeFileSync(file, 'garbage');
    expect(secrets.load()).toBeNull();
    expect(log.messages('warn')).toEqual(['could not decrypt the stored token; sign in again']);
  });

  it('keeps the token on Linux without a keyring (basic_text), never in the clear', () => {
    const { secrets, file, log } = store(new FakeSafeStorage('no-keyring'));
    secrets.save('secret-token-123');
    expect(fs.readFileSync(file).toString('latin1')).not.toContain('secret-token-123');
    expect(secrets.load()).toBe('secret-token-123');
    expect(log.messages('error')).toEqual([]);
  });

  it('never writes the token in the clear when encryption is unavailable', () => {
    const { secrets, file, log } = store(new UnavailableSafeStorage());
    secrets.save('t');
    expect(fs.existsSync(file)).toBe(false);
    expect(log.messages('error')).toHaveLength(1);
  });
});

describe('secretStorageKind (what Settings says about the token)', () => {
  it('names the Linux backend, even before safeStorage was first used', () => {
    expect(secretStorageKind(new FakeSafeStorage('no-keyring'), 'linux')).toBe('basic_text');
    expect(secretStorageKind(new FakeSafeStorage('keyring'), 'linux')).toBe('gnome_libsecret');
  });

  it('says "os" on macOS and Windows', () => {
    expect(secretStorageKind(new FakeSafeStorage('not-linux'), 'darwin')).toBe('os');
    expect(secretStorageKind(new FakeSafeStorage('not-linux'), 'win32')).toBe('os');
  });
});

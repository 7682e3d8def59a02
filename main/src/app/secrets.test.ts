import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingLog } from '../testing/fakes.ts';
import { SafeStorageSecrets, type SafeStorageLike } from './secrets.ts';

/** safeStorage: an opaque, reversible transform, failing on bytes it did not produce. */
class FakeSafeStorage implements SafeStorageLike {
  constructor(private readonly available = true) {}
  isEncryptionAvailable(): boolean {
    return this.available;
  }
  encryptString(plainText: string): Buffer {
    if (!this.available) throw new Error('Encryption is not available.');
    return Buffer.concat([Buffer.from('v10'), Buffer.from(plainText).map((b) => b ^ 0x5a)]);
  }
  decryptString(encrypted: Buffer): string {
    if (!encrypted.subarray(0, 3).equals(Buffer.from('v10')))
      throw new Error('Error while decrypting the ciphertext');
    return Buffer.from(encrypted.subarray(3).map((b) => b ^ 0x5a)).toString();
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

  it('never writes the token in the clear when encryption is unavailable', () => {
    const { secrets, file, log } = store(new FakeSafeStorage(false));
    secrets.save('t');
    expect(fs.existsSync(file)).toBe(false);
    expect(log.messages('error')).toHaveLength(1);
  });
});

import { createHash, randomBytes } from 'node:crypto';

/** An opaque random secret (token, invite or setup code) with a readable prefix saying what it is. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Secrets are stored only as this hash: a leaked database does not leak usable tokens. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

// The shape every one-time code shares (invites, password resets): a random secret shown once, stored
// only as its hash, with a moment it stops working; and the link that carries it to the web client.
import { newSecret, hashSecret } from './secrets.ts';

export interface IssuedSecret {
  code: string;
  codeHash: string;
  expiresAt: number;
}

/** A new code with prefix `prefix` (`inv`, `reset`) that works until `now + ttlMs`. */
export function issueCode(prefix: string, now: number, ttlMs: number): IssuedSecret {
  const code = newSecret(prefix);
  return { code, codeHash: hashSecret(code), expiresAt: now + ttlMs };
}

/**
 * The web client's link for a code, `<public URL>/?<param>=CODE`, or null when the server does not
 * know the address people reach it at (`--public-url`).
 */
export function codeLink(
  publicUrl: string | undefined,
  param: 'invite' | 'reset',
  code: string,
): string | null {
  if (!publicUrl) return null;
  return `${publicUrl.replace(/\/+$/, '')}/?${param}=${encodeURIComponent(code)}`;
}

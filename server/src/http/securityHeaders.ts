// Security headers for every HTTP response: the web client's page and files, the API, errors, and
// Socket.IO's long-polling. Set by hand: five fixed values, fewer than configuring a library's
// defaults away (see docs/decisions.md).

/**
 * The web client's Content-Security-Policy: exactly the one its page carries in a `<meta>` tag
 * (renderer/vite.config.ts; ops.test.ts checks they agree), plus `frame-ancestors`, which a `<meta>`
 * cannot carry: no page may frame this one.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  // For browsers that predate frame-ancestors.
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()',
};

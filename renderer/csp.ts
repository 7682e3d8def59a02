// The UI's Content-Security-Policy, one definition for both places that serve it: the web build
// (a meta tag, renderer/vite.config.ts) and the desktop app's app:// protocol (a header,
// main/src/app/app-protocol.ts). No inline script or style, no eval, nothing from elsewhere: the
// UI talks only to its own origin (the session core connects to the server, not the page).
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
].join('; ');
